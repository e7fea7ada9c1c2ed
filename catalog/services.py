"""Writes on model listings that touch several rows or hand out secrets.

Status rules a developer can apply to their own models (staff may set any status in the admin):

- deactivate: active, under_review or deprecated → inactive. The model stops being served at once.
- reactivate: inactive → under_review. The status column cannot tell a developer's own pause from a
  staff rejection (both are `inactive`), so every reactivation goes back through staff review; a
  rejected model can never return to the catalog on its developer's say alone.
- deprecate: active → deprecated, with a sunset date and optionally a replacement and a note. Until the
  sunset it still answers (with Deprecation and Sunset headers) and stays in the catalog with a badge;
  after it the gateway answers 410 naming the replacement, and it leaves the catalog. Without a sunset
  date (staff's admin action) it answers 410 at once. The sunset may move later, never earlier (its users
  were told that date), and the deprecation may be undone before the sunset (deprecated → active).

Each change is one conditional UPDATE, so two requests at once cannot both apply a transition.
Telling the model's users is the dashboard's (dashboard.services): who called a model is the activity
app's record, above this one.
"""

from datetime import datetime
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from accounts import keys
from accounts.mail import site_url
from accounts.models import Developer, NotificationKind
from accounts.notifications import Message, notify
from catalog.models import AIModel, ModelStatus

# Fields a developer may change on an existing listing. api_name is left out on purpose: it is the
# address programs call, so changing it would silently break every client.
EDITABLE_FIELDS = (
    "model_name",
    "display_name",
    "description",
    "category",
    "tags",
    "endpoint_url",
    "price_per_request",
    "consumer_monthly_limit",
    "input_kinds",
    "output_kinds",
    "is_public",
)

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "deactivate": (
        (ModelStatus.ACTIVE, ModelStatus.UNDER_REVIEW, ModelStatus.DEPRECATED),
        ModelStatus.INACTIVE,
    ),
    "reactivate": ((ModelStatus.INACTIVE,), ModelStatus.UNDER_REVIEW),
    "deprecate": ((ModelStatus.ACTIVE,), ModelStatus.DEPRECATED),
}


class ModelStatusError(ValueError):
    """The model is not in a status from which the requested change is allowed."""


@transaction.atomic
def model_create(*, developer: Developer, **fields: Any) -> tuple[AIModel, str]:
    """Create a listing with a fresh API key. Returns the model and the plain key, shown once."""
    key = keys.generate_model_key()
    model = AIModel(
        developer=developer, api_key=keys.hash_key(key), api_key_prefix=keys.display_prefix(key), **fields
    )
    model.full_clean()
    model.save()
    return model, key


@transaction.atomic
def model_api_key_rotate(*, model: AIModel) -> str:
    """Replace the model's key; the old key stops working when this commits. Returns the new plain key."""
    key = keys.generate_model_key()
    model.api_key = keys.hash_key(key)
    model.api_key_prefix = keys.display_prefix(key)
    model.save(update_fields=["api_key", "api_key_prefix", "updated_at"])
    return key


@transaction.atomic
def model_update(*, model: AIModel, **fields: Any) -> AIModel:
    """Change the listing's editable fields; anything else passed in is refused, not ignored."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(model, name, value)
    model.full_clean(exclude=["developer"])
    model.save(update_fields=[*fields, "updated_at"])
    return model


def _transition(model: AIModel, action: str) -> AIModel:
    allowed_from, target = TRANSITIONS[action]
    changed = AIModel.objects.filter(pk=model.pk, status__in=allowed_from).update(status=target)
    if not changed:
        _refuse(model, action)
    model.status = target
    return model


def _refuse(model: AIModel, action: str) -> NoReturn:
    current = AIModel.objects.filter(pk=model.pk).values_list("status", flat=True).first()
    label = ModelStatus(current).label.lower() if current else "deleted"
    raise ModelStatusError(f"A model that is {label} cannot be {_PAST[action]}.")


_PAST = {"deactivate": "deactivated", "reactivate": "reactivated", "deprecate": "deprecated"}


@transaction.atomic
def model_deactivate(*, model: AIModel) -> AIModel:
    """Stop serving the model at once (active, under review or deprecated → inactive)."""
    return _transition(model, "deactivate")


@transaction.atomic
def model_reactivate(*, model: AIModel) -> AIModel:
    """Send an inactive model back to staff review (inactive → under_review)."""
    return _transition(model, "reactivate")


def replacement_candidates() -> QuerySet[AIModel]:
    """Models a deprecated model may name as its replacement: in the catalog and active (not themselves
    deprecated), any developer's."""
    return AIModel.objects.public().filter(status=ModelStatus.ACTIVE)


def _check_replacement(model: AIModel, replacement: AIModel | None) -> None:
    if replacement is None:
        return
    if replacement.pk == model.pk:
        raise ValidationError({"replacement": "A model cannot replace itself."})
    if not replacement_candidates().filter(pk=replacement.pk).exists():
        raise ValidationError(
            {"replacement": f"{replacement.api_name} cannot replace it: name an active model of the catalog."}
        )


def _check_sunset(sunset_at: datetime | None) -> None:
    if sunset_at is not None and sunset_at <= timezone.now():
        raise ValidationError({"sunset_at": "The sunset must be in the future."})


@transaction.atomic
def model_deprecate(
    *,
    model: AIModel,
    sunset_at: datetime | None = None,
    replacement: AIModel | None = None,
    note: str = "",
) -> AIModel:
    """Deprecate an active model. With `sunset_at` it answers until then (and stays in the catalog with a
    badge); without, the gateway answers 410 at once and the catalog drops it. `replacement` must be an
    active model of the catalog other than this one (ValidationError otherwise)."""
    _check_sunset(sunset_at)
    _check_replacement(model, replacement)
    changed = AIModel.objects.filter(pk=model.pk, status=ModelStatus.ACTIVE).update(
        status=ModelStatus.DEPRECATED, sunset_at=sunset_at, replacement=replacement, deprecation_note=note
    )
    if not changed:
        _refuse(model, "deprecate")
    model.refresh_from_db(
        fields=["status", "sunset_at", "replacement", "deprecated_at", "deprecation_note", "is_served"]
    )
    return model


@transaction.atomic
def model_deprecation_change(
    *, model: AIModel, sunset_at: datetime, replacement: AIModel | None = None, note: str = ""
) -> AIModel:
    """Change a deprecation whose sunset is ahead: the sunset only later (its users were told that date;
    ValidationError for an earlier one), the replacement and the note as given."""
    _check_replacement(model, replacement)
    current = (
        AIModel.objects.select_for_update()
        .filter(pk=model.pk, status=ModelStatus.DEPRECATED, sunset_at__gt=Now())
        .values_list("sunset_at", flat=True)
        .first()
    )
    if current is None:
        raise ModelStatusError("Only a deprecation whose sunset is still ahead can be changed.")
    if sunset_at < current:
        raise ValidationError(
            {
                "sunset_at": f"The sunset can only move later than {current:%Y-%m-%d}: its users were told that date."
            }
        )
    AIModel.objects.filter(pk=model.pk).update(
        sunset_at=sunset_at, replacement=replacement, deprecation_note=note
    )
    model.refresh_from_db(fields=["sunset_at", "replacement", "deprecation_note"])
    return model


@transaction.atomic
def model_undeprecate(*, model: AIModel) -> AIModel:
    """Undo a deprecation before its sunset: active again, its date, replacement and note cleared (by the
    models_deprecation_row trigger). After the sunset the way back is deactivate, reactivate and review."""
    changed = AIModel.objects.filter(pk=model.pk, status=ModelStatus.DEPRECATED, sunset_at__gt=Now()).update(
        status=ModelStatus.ACTIVE
    )
    if not changed:
        raise ModelStatusError("Only a deprecation whose sunset is still ahead can be undone.")
    model.refresh_from_db(
        fields=["status", "sunset_at", "replacement", "deprecated_at", "deprecation_note", "is_served"]
    )
    return model


@transaction.atomic
def model_delete(*, model: AIModel) -> None:
    """Delete the model and, through ON DELETE CASCADE, its reviews, history, logs and rollups."""
    AIModel.objects.filter(pk=model.pk).delete()


# What staff decide on models (the admin's actions), the status it sets, and the mail its developer gets.
DECISIONS = {
    "approve": (ModelStatus.ACTIVE, "model_approved"),
    "reject": (ModelStatus.INACTIVE, "model_rejected"),
}


@transaction.atomic
def models_decide(*, models: QuerySet[AIModel], decision: str) -> int:
    """Apply staff's decision ("approve": active, "reject": inactive) to the models in one UPDATE and tell
    each changed model's developer, in their inbox and by mail to the developer's address (as their settings
    allow). Rows are locked first, so two staff deciding at once tell once per change. Returns how many
    models changed."""
    status, template = DECISIONS[decision]
    changed = list(
        models.exclude(status=status)
        .select_for_update(of=("self",))
        .values(
            "pk",
            "api_name",
            "display_name",
            "developer__user_id",
            "developer__email",
            "developer__first_name",
            "developer__username",
        )
    )
    AIModel.objects.filter(pk__in=[row["pk"] for row in changed]).update(status=status)
    for row in changed:
        name, api_name = row["display_name"], row["api_name"]
        approved = decision == "approve"
        notify(
            user_id=row["developer__user_id"],
            message=Message(
                kind=NotificationKind.MODEL_DECIDED,
                title=f"Your model {name} was approved"
                if approved
                else f"Your model {name} was not approved",
                # Approved: its public page; turned down: its dashboard page, where it is changed and resent.
                url=reverse(
                    "catalog:model_detail" if approved else "dashboard:model_detail", args=[api_name]
                ),
                payload={"api_name": api_name, "decision": decision},
                mail_template=template,
                mail_context={
                    "name": row["developer__first_name"] or row["developer__username"],
                    "model_name": name,
                    "api_name": api_name,
                    "model_url": site_url("catalog:model_detail", api_name),
                    "dashboard_url": site_url("dashboard:model_detail", api_name),
                },
            ),
            mail_to=row["developer__email"],
        )
    return len(changed)
