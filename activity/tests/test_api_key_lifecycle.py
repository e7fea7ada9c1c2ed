"""Keys over time: a revoked personal key fails on its next call; a rotated model key at once."""

import pytest

from accounts import keys
from accounts.services import user_api_key_create, user_api_key_revoke
from activity.tests.helpers import invoke
from catalog.services import model_api_key_rotate
from catalog.tests.factories import AIModelFactory


@pytest.fixture
def echo(dana, upstream):
    plain = keys.generate_model_key()
    model = AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo", key=plain)
    return model, plain


def code(response) -> str | None:
    return response.json()["error"]["code"] if response.status_code >= 400 else None


def test_a_revoked_personal_key_fails_on_the_next_call(client, alice, echo):
    api_key, plain = user_api_key_create(user=alice, name="script")
    assert invoke(client, "echo", {"prompt": "before"}, plain).status_code == 200

    user_api_key_revoke(api_key=api_key)

    response = invoke(client, "echo", {"prompt": "after"}, plain)
    assert (response.status_code, code(response)) == (401, "invalid_key")


def test_a_rotated_model_key_stops_at_once_and_the_new_one_works(client, echo):
    model, old = echo
    assert invoke(client, "echo", {"prompt": "before"}, old).status_code == 200

    new = model_api_key_rotate(model=model)

    response = invoke(client, "echo", {"prompt": "old key"}, old)
    assert (response.status_code, code(response)) == (401, "invalid_key")
    assert invoke(client, "echo", {"prompt": "new key"}, new).status_code == 200
    assert list(model.usage_logs.filter(api_key_used=new[:12]).values_list("response_code", flat=True)) == [
        200
    ]
