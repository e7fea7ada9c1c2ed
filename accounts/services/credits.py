"""Credits: what users spend on priced models' calls, kept in credit_ledger (append-only; the database keeps
users.credit_balance as the sum of a user's entries, never below zero).

Money comes in by the welcome grant a user gets when their address is verified, by staff grants and
adjustments in the admin (who and why recorded), and by top-ups. No payment provider is reachable from
here: a provider's webhook would be one more writer of `top_up` entries through credits_add(), with the
provider's payment id as the note, made idempotent by checking that note first inside the same
transaction. Calls reserve, release and charge through the gateway (activity.gateway.reservation), never
through this module.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import CreditKind, CreditLedgerEntry, User
from core.constraints import violated_constraint

# Kinds a person may write; reservation, charge and release are the gateway's.
MANUAL_KINDS = (CreditKind.GRANT, CreditKind.TOP_UP, CreditKind.ADJUSTMENT)
WELCOME_NOTE = "Welcome grant"


def credits_add(
    *, user: User, amount: Decimal, kind: str, note: str = "", created_by: User | None = None
) -> CreditLedgerEntry:
    """Write one grant, top-up or adjustment. Raises ValidationError when the entry's sign does not fit its
    kind or when it would take the balance below zero (the database refuses it either way)."""
    if kind not in MANUAL_KINDS:
        raise ValidationError(f"{kind!r} entries are written by the gateway only.", code="kind")
    entry = CreditLedgerEntry(
        user=user,
        amount=amount,
        kind=kind,
        note=note.strip(),
        created_by_id=created_by.pk if created_by is not None else None,
    )
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
    except IntegrityError as exc:
        name = violated_constraint(exc)
        if name == "users_credit_balance_non_negative":
            raise ValidationError(
                "This adjustment would take the balance below zero.", code="negative_balance"
            ) from exc
        if name == "credit_ledger_amount_sign":
            raise ValidationError(
                "Grants and top-ups add credits; an adjustment may not be zero.", code="sign"
            ) from exc
        raise
    return entry


def welcome_grant(*, user: User) -> CreditLedgerEntry | None:
    """The grant a user gets when their address is verified (settings.WELCOME_CREDITS; none when zero).
    Called once, by the verification that flips email_verified."""
    amount = Decimal(settings.WELCOME_CREDITS)
    if amount <= 0:
        return None
    return credits_add(user=user, amount=amount, kind=CreditKind.GRANT, note=WELCOME_NOTE)


# How far back each run looks for stale holds: runs are minutes apart, so a week covers missed runs too.
STALE_WINDOW = timedelta(days=7)


def stale_holds_release(*, older_than_seconds: int) -> int:
    """Release the holds of calls never recorded that are older than `older_than_seconds` (and younger than
    a week past that): each gets its `release` entry, once, whoever else settles the call at the same time
    (credit_release_stale in SQL). Returns how many were released."""
    before = timezone.now() - timedelta(seconds=older_than_seconds)
    with connection.cursor() as cursor:
        cursor.execute("SELECT credit_release_stale(%s, %s)", [before - STALE_WINDOW, before])
        return cursor.fetchone()[0]
