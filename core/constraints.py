"""Reading which database constraint an IntegrityError is about, so each app can say it in words."""

from django.db import IntegrityError


def violated_constraint(error: IntegrityError) -> str | None:
    """The name PostgreSQL gives for the constraint `error` broke, or None when it names none."""
    diag = getattr(getattr(error, "__cause__", None), "diag", None)
    return getattr(diag, "constraint_name", None) or None
