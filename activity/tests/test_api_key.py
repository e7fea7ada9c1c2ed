"""GET /api/v1/key: what the calling key may still spend this month."""

from datetime import timedelta

from django.utils import timezone

from accounts import keys
from accounts.tests.factories import UserApiKeyFactory
from activity.gateway.quota import next_month_start, quota_reserve
from activity.gateway.schemas import KeyOut
from activity.tests.factories import ApiUsageLogFactory
from activity.tests.helpers import auth_header, invoke
from catalog.tests.factories import AIModelFactory


def test_a_model_key_sees_its_developers_quota(client, dana):
    plain = keys.generate_model_key()
    AIModelFactory(developer=dana, api_name="mine", key=plain)
    dana.api_quota = 100
    dana.save()
    for _ in range(3):
        quota_reserve(developer=dana)

    response = client.get("/api/v1/key", **auth_header(plain))

    assert response.status_code == 200
    body = response.json()
    KeyOut.model_validate(body)
    reset = next_month_start(timezone.now())
    assert body == {
        "kind": "model",
        "key_prefix": plain[:12],
        "model": "mine",
        "limit": 100,
        "used": 3,
        "remaining": 97,
        "reset": int(reset.timestamp()),
        "reset_at": reset.isoformat(),
        "quota_scope": "developer",
        "note": body["note"],
    }
    assert response["X-RateLimit-Remaining"] == "97"


def test_a_personal_key_sees_its_own_forwarded_calls_and_that_developers_hold_the_quota(
    client, alice, dana, upstream
):
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=alice, key=plain)
    AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo")
    invoke(client, "echo", {"prompt": "one"}, plain)
    invoke(client, "echo", {"prompt": "two"}, plain)
    invoke(client, "echo", "not json", plain)  # refused: not a forwarded call
    other = keys.generate_personal_key()
    UserApiKeyFactory(user=alice, key=other)
    invoke(client, "echo", {"prompt": "other key"}, other)

    body = client.get("/api/v1/key", **auth_header(plain)).json()

    assert body["kind"] == "personal"
    assert body["used"] == 2
    assert body["limit"] is None and body["remaining"] is None
    assert body["quota_scope"] == "developer"
    assert "developer" in body["note"]


def test_last_months_calls_do_not_count(client, alice, model):
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=alice, key=plain)
    log = ApiUsageLogFactory(model=model, user=alice, api_key_used=plain[:12])
    type(log).objects.filter(pk=log.pk).update(created_at=timezone.now().replace(day=1) - timedelta(days=1))

    assert client.get("/api/v1/key", **auth_header(plain)).json()["used"] == 0


def test_it_needs_a_key(client, db):
    response = client.get("/api/v1/key")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_key"


def test_a_key_in_the_query_string_is_refused(client, db):
    response = client.get(f"/api/v1/key?key={keys.generate_personal_key()}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "key_in_query"
