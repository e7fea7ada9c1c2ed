"""Which caller may call which model, by the visibility rule of catalog/models.py (AIModel.is_listed,
is_in_service, developer_serves) read from the loaded rows: no query."""

from activity.gateway.auth import Caller
from activity.gateway.errors import GatewayError, error
from catalog.models import AIModel


def check_visible(*, caller: Caller, model: AIModel) -> None:
    """Raise a 403/404 GatewayError unless the caller may know of `model` at all.

    A model key sees only its own model, public or not, whatever its status; personal keys see listed
    models (those whose page everyone may see); in the playground the model's own developer also sees a
    private or unlisted model while the developer serves.
    """
    if caller.is_model_key:
        own_model = caller.own_model
        assert own_model is not None  # a model key is for one model, which its caller carries
        if model.pk == own_model.pk:
            return
        if model.is_listed:
            raise error("key_not_for_model")
        raise _not_found(model)
    user = caller.user
    assert user is not None  # personal keys and the playground call for a user
    owner_trying = caller.kind == "playground" and model.developer.user_id == user.pk
    if not (model.is_listed or (owner_trying and model.developer_serves)):
        raise _not_found(model)


def check_serving(*, model: AIModel) -> None:
    """Raise 410 for a deprecated model and 404 for one that is not in service."""
    if model.is_deprecated:
        raise error("model_deprecated", f"The model {model.api_name!r} is deprecated and no longer answers.")
    if not model.is_in_service:
        raise error("model_not_found", f"The model {model.api_name!r} is not active.")


def check_access(*, caller: Caller, model: AIModel) -> None:
    """Raise a 403/404/410 GatewayError unless `caller` may call `model` now."""
    check_visible(caller=caller, model=model)
    check_serving(model=model)


def _not_found(model: AIModel) -> GatewayError:
    return error("model_not_found", f"No model named {model.api_name!r} is available to this key.")
