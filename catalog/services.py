"""Writes on model listings that touch several rows or hand out secrets.

Status rules a developer can apply to their own models (staff may set any status in the admin):

- deactivate: active, under_review or deprecated → inactive. The model stops being served at once.
- reactivate: inactive → under_review. The status column cannot tell a developer's own pause from a
  staff rejection (both are `inactive`), so every reactivation goes back through staff review; a
  rejected model can never return to the catalog on its developer's say alone.
- deprecate: active → deprecated. The gateway answers 410 for it; it leaves the catalog.

Each change is one conditional UPDATE, so two requests at once cannot both apply a transition.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

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
        current = AIModel.objects.filter(pk=model.pk).values_list("status", flat=True).first()
        label = ModelStatus(current).label.lower() if current else "deleted"
        raise ModelStatusError(f"A model that is {label} cannot be {_PAST[action]}.")
    model.status = target
    return model


_PAST = {"deactivate": "deactivated", "reactivate": "reactivated", "deprecate": "deprecated"}


@transaction.atomic
def model_deactivate(*, model: AIModel) -> AIModel:
    """Stop serving the model at once (active, under review or deprecated → inactive)."""
    return _transition(model, "deactivate")


@transaction.atomic
def model_reactivate(*, model: AIModel) -> AIModel:
    """Send an inactive model back to staff review (inactive → under_review)."""
    return _transition(model, "reactivate")


@transaction.atomic
def model_deprecate(*, model: AIModel) -> AIModel:
    """Retire an active model: the gateway answers 410 and the catalog drops it."""
    return _transition(model, "deprecate")


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
