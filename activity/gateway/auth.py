"""Who is calling: bearer keys authenticated by their SHA-256 alone.

A model key (``amp_mk_``) is its developer's key for one model; a personal key (``amp_pk_``) belongs to a
user and calls any public, active model. The playground calls as the signed-in user, without a key.
"""

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts import keys
from accounts.models import Developer, User, UserApiKey, UserStatus
from activity.gateway.errors import error
from activity.gateway.rows import active_key_with_user, model_by_key_hash
from catalog.models import AIModel

# last_used_at is advisory: writing it at most once a minute per key keeps a write off the hot path.
LAST_USED_RESOLUTION = timedelta(minutes=1)
PLAYGROUND_KEY_LABEL = "playground"


@dataclass(frozen=True)
class Caller:
    kind: str  # "model", "personal" or "playground"
    key_prefix: str
    user: User | None = None  # personal keys and the playground: calls are made for this user
    developer: Developer | None = None  # model keys: calls are the developer's own
    own_model: AIModel | None = None  # model keys: the one model the key may call
    api_key: UserApiKey | None = None

    @property
    def is_model_key(self) -> bool:
        return self.kind == "model"

    @property
    def writes_history(self) -> bool:
        return self.user is not None


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def loggable_prefix(token: str | None) -> str:
    """What the usage log may keep of a presented token: our display prefix, never more, never a stranger's."""
    if token and token.startswith((keys.MODEL_KEY_PREFIX, keys.PERSONAL_KEY_PREFIX)):
        return keys.display_prefix(token)
    return ""


NOT_FETCHED = object()


def personal_key_hash(token: str | None) -> str | None:
    """The hash to look a personal key up by, when the token has a personal key's shape and checksum."""
    if token and token.startswith(keys.PERSONAL_KEY_PREFIX) and keys.has_valid_checksum(token):
        return keys.hash_key(token)
    return None


def identify(*, token: str | None, model: AIModel | None = None, personal_key: Any = NOT_FETCHED) -> Caller:
    """Resolve a bearer token to its caller, or raise a 401 GatewayError.

    `model` is the model the call names, when known: a model key for that very model is then recognised
    without a query (its stored hash is already loaded). `personal_key` is the row already fetched for
    personal_key_hash(token) (rows.call_rows), if it was. Whether the caller may call is check_active's.
    """
    if token is None:
        raise error("missing_key")
    if not keys.has_valid_checksum(token):
        raise error("invalid_key")
    digest = keys.hash_key(token)
    if token.startswith(keys.MODEL_KEY_PREFIX):
        return _model_key_caller(digest, model)
    if personal_key is NOT_FETCHED:
        personal_key = active_key_with_user(key_hash=digest)
    return _personal_key_caller(digest, personal_key)


def check_active(caller: Caller) -> None:
    """Raise a 403 GatewayError when the account behind the caller may not call."""
    if caller.is_model_key:
        developer = caller.developer
        assert developer is not None  # a model key's caller is its developer
        if not developer.serves:
            raise error("account_suspended", "The developer account that owns this key is not active.")
        return
    user = caller.user
    assert user is not None  # personal keys and the playground call for a user
    if user.status == UserStatus.PENDING_VERIFICATION:
        raise error("account_not_verified")
    if user.status != UserStatus.ACTIVE:
        raise error("account_suspended")


def admit(caller: Caller) -> None:
    """check_active(), then note the personal key's use."""
    check_active(caller)
    if caller.api_key is not None:
        touch_last_used(caller.api_key)


def authenticate(*, token: str | None, model: AIModel | None = None) -> Caller:
    """identify() then admit(): the caller, or a 401/403 GatewayError."""
    caller = identify(token=token, model=model)
    admit(caller)
    return caller


def _model_key_caller(digest: str, model: AIModel | None) -> Caller:
    owner: AIModel | None
    if model is not None and hmac.compare_digest(model.api_key, digest):
        owner = model
    else:
        owner = model_by_key_hash(key_hash=digest)
        if owner is None or not hmac.compare_digest(owner.api_key, digest):
            raise error("invalid_key")
    return Caller(kind="model", key_prefix=owner.api_key_prefix, developer=owner.developer, own_model=owner)


def _personal_key_caller(digest: str, api_key: UserApiKey | None) -> Caller:
    if api_key is None or not hmac.compare_digest(api_key.key_hash, digest):
        raise error("invalid_key")
    if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
        raise error(
            "key_expired",
            f"The key {api_key.key_prefix}… expired at {api_key.expires_at:%Y-%m-%dT%H:%M:%SZ}.",
        )
    return Caller(kind="personal", key_prefix=api_key.key_prefix, user=api_key.user, api_key=api_key)


def touch_last_used(api_key: UserApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        UserApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


def playground_caller(*, user: User) -> Caller:
    return Caller(kind="playground", key_prefix=PLAYGROUND_KEY_LABEL, user=user)
