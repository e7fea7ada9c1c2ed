"""activity.gateway.auth and access: who a bearer key is, and which models it reaches."""

import pytest

from accounts import keys
from accounts.models import DeveloperStatus, UserStatus
from accounts.tests.factories import UserApiKeyFactory
from activity.gateway.access import check_access
from activity.gateway.auth import authenticate, bearer_token, loggable_prefix, playground_caller
from activity.gateway.errors import GatewayError
from catalog.models import ModelStatus
from catalog.tests.factories import AIModelFactory


def refusal(**kwargs) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        authenticate(**kwargs)
    return caught.value


def test_it_reads_only_bearer_authorization_headers():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer   abc ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token("Bearer ") is None
    assert bearer_token(None) is None


def test_only_our_key_prefixes_reach_the_logs():
    key = keys.generate_personal_key()
    assert loggable_prefix(key) == key[:12]
    assert loggable_prefix("sk-live-0123456789abcdef") == ""
    assert loggable_prefix(None) == ""


def test_a_personal_key_authenticates_by_its_hash(alice):
    plain = keys.generate_personal_key()
    api_key = UserApiKeyFactory(user=alice, key=plain)

    caller = authenticate(token=plain)

    assert (caller.kind, caller.user, caller.api_key, caller.key_prefix) == (
        "personal",
        alice,
        api_key,
        plain[:12],
    )
    assert caller.writes_history


def test_a_model_key_authenticates_as_its_developer(dana):
    plain = keys.generate_model_key()
    model = AIModelFactory(developer=dana, key=plain)

    caller = authenticate(token=plain)

    assert (caller.kind, caller.developer, caller.own_model, caller.user) == ("model", dana, model, None)
    assert not caller.writes_history


def test_a_model_key_for_the_named_model_needs_no_query(dana, django_assert_num_queries):
    plain = keys.generate_model_key()
    model = AIModelFactory(developer=dana, key=plain)
    model = type(model).objects.select_related("developer__user").get(pk=model.pk)

    with django_assert_num_queries(0):
        assert authenticate(token=plain, model=model).own_model == model


@pytest.mark.parametrize(
    "token, code",
    [
        (None, "missing_key"),
        ("amp_pk_short", "invalid_key"),
        ("not-a-key-at-all-not-a-key-at-all-not-a-key", "invalid_key"),
    ],
)
def test_malformed_keys_are_refused_without_a_lookup(db, token, code, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert refusal(token=token).code == code


def test_a_stored_key_with_a_wrong_checksum_is_refused(alice):
    plain = keys.generate_personal_key()
    tampered = plain[:-1] + ("A" if plain[-1] != "A" else "B")
    UserApiKeyFactory(user=alice, key=tampered)  # even if such a hash were stored

    assert refusal(token=tampered).code == "invalid_key"


def test_a_revoked_key_is_refused(alice):
    plain = keys.generate_personal_key()
    api_key = UserApiKeyFactory(user=alice, key=plain)
    api_key.revoke()
    api_key.save()

    assert refusal(token=plain).code == "invalid_key"


@pytest.mark.parametrize(
    "status, code",
    [
        (UserStatus.SUSPENDED, "account_suspended"),
        (UserStatus.INACTIVE, "account_suspended"),
        (UserStatus.PENDING_VERIFICATION, "account_not_verified"),
    ],
)
def test_only_active_users_may_call(alice, status, code):
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=alice, key=plain)
    alice.status = status
    alice.save()

    error = refusal(token=plain)
    assert (error.status, error.code) == (403, code)


@pytest.mark.parametrize("status", [DeveloperStatus.SUSPENDED, DeveloperStatus.PENDING_APPROVAL])
def test_only_active_developers_model_keys_may_call(dana, status):
    plain = keys.generate_model_key()
    AIModelFactory(developer=dana, key=plain)
    dana.status = status
    dana.save()

    assert refusal(token=plain).status == 403


def access_error(caller, model) -> GatewayError | None:
    try:
        check_access(caller=caller, model=model)
    except GatewayError as exc:
        return exc
    return None


def test_the_playground_lets_a_developer_try_their_own_private_model(dana, alice):
    model = AIModelFactory(developer=dana, is_public=False)

    assert access_error(playground_caller(user=dana.user), model) is None
    assert access_error(playground_caller(user=alice), model).status == 404


def test_a_deprecated_public_model_is_gone_rather_than_unknown(alice, dana):
    model = AIModelFactory(developer=dana, status=ModelStatus.DEPRECATED)

    assert access_error(playground_caller(user=alice), model).status == 410
