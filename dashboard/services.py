"""Writes of the dashboard that span apps: a deprecation, which changes the catalog's row and tells the
users the activity app knows of."""

from datetime import UTC, datetime
from functools import partial

from django.db import transaction

from activity.tasks import notify_model_deprecated
from catalog import services as catalog_services
from catalog.models import AIModel


def _tell_users(model: AIModel) -> None:
    """Queue the notice once the deprecation commits (run in the process without a broker): the fan-out to
    many users never holds the developer's request, and a deprecation rolled back tells nobody."""
    assert model.sunset_at is not None
    stamp = model.sunset_at.astimezone(UTC).isoformat()
    transaction.on_commit(partial(notify_model_deprecated.delay, str(model.pk), stamp), robust=True)


@transaction.atomic
def model_deprecate(
    *, model: AIModel, sunset_at: datetime, replacement: AIModel | None, note: str
) -> AIModel:
    """Deprecate the model with notice and tell every user who called it (activity.notices)."""
    catalog_services.model_deprecate(model=model, sunset_at=sunset_at, replacement=replacement, note=note)
    _tell_users(model)
    return model


@transaction.atomic
def model_deprecation_change(
    *, model: AIModel, sunset_at: datetime, replacement: AIModel | None, note: str
) -> bool:
    """Change the notice; its users are told again when the sunset moved. Returns whether it moved."""
    before = model.sunset_at
    catalog_services.model_deprecation_change(
        model=model, sunset_at=sunset_at, replacement=replacement, note=note
    )
    moved = model.sunset_at != before
    if moved:
        _tell_users(model)
    return moved
