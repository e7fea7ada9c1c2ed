"""Which caller may call which model, by the visibility rule of catalog/models.py (AIModel.is_listed,
is_in_service, developer_serves) read from the loaded rows: no query.

A deprecated model with a sunset ahead still answers, and every answer about it carries the headers of
deprecation_headers(); past its sunset (or deprecated without one) it answers 410 with its replacement."""

from django.conf import settings
from django.utils.http import http_date

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
    """Raise 410 for a deprecated model past its sunset (naming its replacement) and 404 for one that is not
    in service. The gateway's row comes with its replacement's api_name (activity.gateway.rows)."""
    if model.is_retired:
        replacement = model.replacement.api_name if model.replacement is not None else None
        raise error(
            "model_deprecated", model.retired_message(replacement or ""), extra={"replacement": replacement}
        )
    if not model.is_in_service:
        raise error("model_not_found", f"The model {model.api_name!r} is not active.")


def check_access(*, caller: Caller, model: AIModel) -> None:
    """Raise a 403/404/410 GatewayError unless `caller` may call `model` now."""
    check_visible(caller=caller, model=model)
    check_serving(model=model)


def _not_found(model: AIModel) -> GatewayError:
    return error("model_not_found", f"No model named {model.api_name!r} is available to this key.")


def deprecation_headers(model: AIModel) -> dict[str, str]:
    """The headers of an answer about a deprecated model: `Deprecation: @<unix time>` (RFC 9745), when it
    was deprecated; `Sunset: <HTTP date>` (RFC 8594), when it stops answering; `Link` to its page
    (rel="deprecation") and to its replacement's (rel="successor-version"). None for other models."""
    if not model.is_deprecated or model.deprecated_at is None:
        return {}
    base = settings.SITE_URL.rstrip("/")
    headers = {"Deprecation": f"@{int(model.deprecated_at.timestamp())}"}
    if model.sunset_at is not None:
        headers["Sunset"] = http_date(model.sunset_at.timestamp())
    links = [f'<{base}{model.get_absolute_url()}>; rel="deprecation"']
    if model.replacement is not None:
        links.append(f'<{base}{model.replacement.get_absolute_url()}>; rel="successor-version"')
    headers["Link"] = ", ".join(links)
    return headers
