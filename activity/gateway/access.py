"""Which caller may call which model."""

from accounts.models import DeveloperStatus, UserStatus
from activity.gateway.auth import Caller
from activity.gateway.errors import error
from catalog.models import AIModel, ModelStatus


def developer_serves(model: AIModel) -> bool:
    """The model's developer, and the account behind it, are active (read from the loaded rows)."""
    developer = model.developer
    return developer.status == DeveloperStatus.ACTIVE and developer.user.status == UserStatus.ACTIVE


def check_visible(*, caller: Caller, model: AIModel) -> None:
    """Raise a 403/404 GatewayError unless the caller may know of `model` at all.

    A model key sees only its own model, public or not, whatever its status; personal keys see public
    models of serving developers that are active or deprecated; in the playground the model's own
    developer also sees a private model. Mirrors AIModel.objects.public() on the loaded row (no query).
    """
    if caller.is_model_key:
        if model.pk == caller.own_model.pk:
            return
        if _listed(model):
            raise error("key_not_for_model")
        raise _not_found(model)
    owner_trying = caller.kind == "playground" and model.developer.user_id == caller.user.pk
    if not (_listed(model) or (owner_trying and developer_serves(model))):
        raise _not_found(model)


def check_serving(*, model: AIModel) -> None:
    """Raise 410 for a deprecated model and 404 for one that is not active."""
    if model.status == ModelStatus.DEPRECATED:
        raise error("model_deprecated", f"The model {model.api_name!r} is deprecated and no longer answers.")
    if model.status != ModelStatus.ACTIVE:
        raise error("model_not_found", f"The model {model.api_name!r} is not active.")


def check_access(*, caller: Caller, model: AIModel) -> None:
    """Raise a 403/404/410 GatewayError unless `caller` may call `model` now."""
    check_visible(caller=caller, model=model)
    check_serving(model=model)


def _listed(model: AIModel) -> bool:
    return (
        model.is_public
        and model.status in (ModelStatus.ACTIVE, ModelStatus.DEPRECATED)
        and developer_serves(model)
    )


def _not_found(model: AIModel):
    return error("model_not_found", f"No model named {model.api_name!r} is available to this key.")
