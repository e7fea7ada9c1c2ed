"""A personal key's spending limit and expiry at /me/keys/: set when it is made, changed on its limits page,
read back on the list and from GET /api/v1/key, and held by the gateway (402 key_limit_reached, 401
key_expired) — at each permission level, with real calls through the gateway to the demo upstream."""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from accounts.models import ApiKeySpend, LimitPeriod, UserApiKey
from accounts.tests.factories import UserApiKeyFactory
from activity.models import UserHistory
from activity.tests.helpers import auth_header, invoke
from catalog.tests.factories import AIModelFactory

PRICE = Decimal("0.0100")


@pytest.fixture(autouse=True)
def _welcome_grant_of_five_dollars(settings):
    """The figures below start from the welcome grant's default, whatever the environment says."""
    settings.WELCOME_CREDITS = "5.00"


def today() -> date:
    return timezone.now().astimezone(UTC).date()


def midnight(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def limits_url(api_key: UserApiKey) -> str:
    return f"/me/keys/{api_key.key_id}/limits/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def make_key(client, **fields) -> tuple[UserApiKey, str]:
    """Create a key through the form, as its user does; returns the row and the plain key shown once."""
    response = client.post("/me/keys/new/", {"name": "script", **fields})
    assert response.status_code == 200
    plain = re.search(r'<code id="new-key">(amp_pk_\w+)</code>', response.content.decode()).group(1)
    return UserApiKey.objects.get(name="script"), plain


@pytest.fixture
def echo(dana, upstream, settings):
    """A public model priced $0.0100 a call, answered by the demo echo upstream on 127.0.0.1."""
    settings.UPSTREAM_PRIVATE_NETWORKS = True
    return AIModelFactory(
        developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo", price_per_request=PRICE
    )


def call(client, key: str, prompt: str = "hello"):
    return invoke(client, "echo", {"prompt": prompt}, key)


# Anonymous ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in_from_a_keys_limits_page(client, alice, method):
    api_key = UserApiKeyFactory(user=alice, spend_limit=Decimal("5"), limit_period=LimitPeriod.DAY)

    data = {"spend_limit": "1"} if method == "post" else None
    response = getattr(client, method)(limits_url(api_key), data)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={limits_url(api_key)}"
    api_key.refresh_from_db()
    assert api_key.spend_limit == Decimal("5.0000")


def test_anonymous_visitors_cannot_create_a_key_with_limits(client, db):
    response = client.post("/me/keys/new/", {"name": "x", "spend_limit": "1", "limit_period": "day"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not UserApiKey.objects.exists()


# Another user ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_users_limits_page_is_a_404_and_changes_nothing(alice_client, bob, method):
    bobs = UserApiKeyFactory(user=bob, spend_limit=Decimal("5"), limit_period=LimitPeriod.DAY)

    response = getattr(alice_client, method)(limits_url(bobs), {"spend_limit": "999", "limit_period": "none"})

    assert response.status_code == 404
    bobs.refresh_from_db()
    assert (bobs.spend_limit, bobs.limit_period) == (Decimal("5.0000"), "day")


def test_an_unknown_key_id_is_a_404(alice_client):
    assert alice_client.get("/me/keys/00000000-0000-0000-0000-000000000000/limits/").status_code == 404


# Creating a key with limits ----------------------------------------------------------------------------


def test_a_key_is_made_with_a_spending_limit_its_period_and_an_expiry_day(alice_client, alice):
    expiry = today() + timedelta(days=30)

    api_key, plain = make_key(
        alice_client, spend_limit="2.5000", limit_period="week", expires_on=expiry.isoformat()
    )

    assert api_key.user == alice
    assert api_key.spend_limit == Decimal("2.5000")
    assert api_key.limit_period == LimitPeriod.WEEK
    # It stops working at 00:00 UTC of the day chosen.
    assert api_key.expires_at == midnight(expiry)
    html = alice_client.get("/me/keys/").content.decode()
    assert "$0.0000 of $2.5000 per week" in html
    assert "$2.5000 left" in html
    assert f'datetime="{midnight(expiry).isoformat()}"' in html


@pytest.mark.parametrize("period", ["day", "week", "month", "none"])
def test_each_period_is_kept(alice_client, period):
    api_key, _ = make_key(alice_client, spend_limit="1", limit_period=period)

    assert (api_key.spend_limit, api_key.limit_period) == (Decimal("1.0000"), period)


def test_a_limit_without_a_period_resets_monthly(alice_client):
    api_key, _ = make_key(alice_client, spend_limit="1", limit_period="")

    assert api_key.limit_period == LimitPeriod.MONTH


def test_a_period_without_a_limit_means_no_limit_and_no_expiry_means_none(alice_client):
    api_key, _ = make_key(alice_client, spend_limit="", limit_period="day", expires_on="")

    assert (api_key.spend_limit, api_key.limit_period, api_key.expires_at) == (None, LimitPeriod.NONE, None)
    assert "None" in alice_client.get("/me/keys/").content.decode()


def test_the_smallest_limit_and_tomorrow_are_accepted(alice_client):
    tomorrow = today() + timedelta(days=1)

    api_key, _ = make_key(
        alice_client, spend_limit="0.0001", limit_period="day", expires_on=tomorrow.isoformat()
    )

    assert (api_key.spend_limit, api_key.expires_at) == (Decimal("0.0001"), midnight(tomorrow))


BAD_LIMITS = [
    ("spend_limit", "-1", "Ensure this value is greater than or equal to 0.0001."),
    ("spend_limit", "0", "Ensure this value is greater than or equal to 0.0001."),
    ("spend_limit", "0.00015", "Ensure that there are no more than 4 decimal places."),
    ("spend_limit", "1.12345", "Ensure that there are no more than 4 decimal places."),
    ("spend_limit", "ten dollars", "Enter a number."),
    ("spend_limit", "NaN", "Enter a number."),
    ("spend_limit", "100000000", "Ensure this value is less than or equal to 99999999.9999."),
    ("limit_period", "year", "Select a valid choice. year is not one of the available choices."),
    ("expires_on", "today", "Choose a day after today."),
    ("expires_on", "yesterday", "Choose a day after today."),
    ("expires_on", "2020-01-01", "Choose a day after today."),
    ("expires_on", "next tuesday", "Enter a valid date."),
]


def bad_value(value: str) -> str:
    days = {"today": 0, "yesterday": -1}
    return (today() + timedelta(days=days[value])).isoformat() if value in days else value


@pytest.mark.parametrize("field, value, message", BAD_LIMITS)
def test_a_bad_limit_or_expiry_shows_the_form_again_with_the_error_and_makes_no_key(
    alice_client, field, value, message
):
    data = {"name": "kept name", "spend_limit": "1", "limit_period": "day", field: bad_value(value)}

    response = alice_client.post("/me/keys/new/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message.replace("'", "&#x27;") in html
    assert "field-error" in html
    assert 'value="kept name"' in html
    assert "amp_pk_" not in html
    assert not UserApiKey.objects.exists()


# The limits page ---------------------------------------------------------------------------------------


def test_the_owner_sees_the_limits_page_with_the_keys_current_limits(alice_client, alice):
    expiry = today() + timedelta(days=3)
    api_key = UserApiKeyFactory(
        user=alice, name="ci", spend_limit=Decimal("3.5"), limit_period="week", expires_at=midnight(expiry)
    )

    response = alice_client.get(limits_url(api_key))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Limits of “ci”" in html
    assert "it has spent $0.0000 of $3.5000 per week" in html
    form = response.context["form"]
    assert (form["spend_limit"].value(), form["limit_period"].value(), form["expires_on"].value()) == (
        Decimal("3.5000"),
        "week",
        expiry,
    )


def test_the_limits_page_changes_the_limit_period_and_expiry(alice_client, alice):
    api_key = UserApiKeyFactory(user=alice, name="ci", spend_limit=Decimal("1"), limit_period="month")
    expiry = today() + timedelta(days=10)

    response = alice_client.post(
        limits_url(api_key),
        {"spend_limit": "0.0500", "limit_period": "day", "expires_on": expiry.isoformat()},
    )

    assert response.status_code == 302
    assert response["Location"] == "/me/keys/"
    assert messages_of(response) == ["The limits of “ci” are saved."]
    api_key.refresh_from_db()
    assert (api_key.spend_limit, api_key.limit_period, api_key.expires_at) == (
        Decimal("0.0500"),
        "day",
        midnight(expiry),
    )


def test_the_limits_page_clears_the_limit_and_the_expiry(alice_client, alice):
    api_key = UserApiKeyFactory(
        user=alice,
        spend_limit=Decimal("1"),
        limit_period="day",
        expires_at=midnight(today() + timedelta(days=2)),
    )

    response = alice_client.post(
        limits_url(api_key), {"spend_limit": "", "limit_period": "day", "expires_on": ""}
    )

    assert response.status_code == 302
    api_key.refresh_from_db()
    assert (api_key.spend_limit, api_key.limit_period, api_key.expires_at) == (None, LimitPeriod.NONE, None)


@pytest.mark.parametrize("field, value, message", BAD_LIMITS)
def test_a_bad_change_shows_the_limits_page_again_and_changes_nothing(
    alice_client, alice, field, value, message
):
    api_key = UserApiKeyFactory(user=alice, spend_limit=Decimal("5"), limit_period="month")
    data = {"spend_limit": "1", "limit_period": "day", field: bad_value(value)}

    response = alice_client.post(limits_url(api_key), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message.replace("'", "&#x27;") in response.content.decode()
    api_key.refresh_from_db()
    assert (api_key.spend_limit, api_key.limit_period, api_key.expires_at) == (
        Decimal("5.0000"),
        "month",
        None,
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_revoked_keys_limits_page_sends_back_to_the_list_with_a_message(alice_client, alice, method):
    api_key = UserApiKeyFactory(user=alice, name="old ci", spend_limit=Decimal("5"), limit_period="day")
    api_key.revoke()
    api_key.save()

    response = getattr(alice_client, method)(
        limits_url(api_key), {"spend_limit": "100", "limit_period": "none"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/me/keys/"
    assert messages_of(response) == ["The key “old ci” is revoked; its limits no longer matter."]
    api_key.refresh_from_db()
    assert (api_key.spend_limit, api_key.limit_period) == (Decimal("5.0000"), "day")


def test_the_list_links_only_active_keys_to_their_limits_page(alice_client, alice):
    active = UserApiKeyFactory(user=alice, name="active")
    revoked = UserApiKeyFactory(user=alice, name="revoked")
    revoked.revoke()
    revoked.save()

    html = alice_client.get("/me/keys/").content.decode()

    assert f'href="{limits_url(active)}"' in html
    assert f'href="{limits_url(revoked)}"' not in html


def test_the_limits_page_needs_get_or_post(alice_client, alice):
    api_key = UserApiKeyFactory(user=alice)

    assert alice_client.put(limits_url(api_key)).status_code == 405


# Held by the gateway -----------------------------------------------------------------------------------


def test_the_list_shows_what_a_key_spent_and_has_left_after_real_calls(alice_client, alice, echo, client):
    api_key, plain = make_key(alice_client, spend_limit="0.0300", limit_period="day")
    caller = type(client)()  # the API takes no cookies: a client of its own, signed in as nobody

    answers = [call(caller, plain, f"call {n}").status_code for n in range(2)]

    assert answers == [200, 200]
    html = alice_client.get("/me/keys/").content.decode()
    assert "$0.0200 of $0.0300 per day" in html
    assert "$0.0100 left" in html
    tomorrow = today() + timedelta(days=1)
    assert f"resets {tomorrow.day} {tomorrow:%b} 00:00 UTC" in html
    assert "$4.9800" in html  # the balance, welcome grant less two calls
    page = alice_client.get(limits_url(api_key)).content.decode()
    assert "it has spent $0.0200 of $0.0300 per day" in page


def test_get_key_shows_the_balance_limit_spent_remaining_reset_and_expiry(alice_client, alice, echo, client):
    expiry = today() + timedelta(days=5)
    _, plain = make_key(alice_client, spend_limit="0.0500", limit_period="day", expires_on=expiry.isoformat())
    caller = type(client)()
    for n in range(3):
        assert call(caller, plain, f"call {n}").status_code == 200

    response = caller.get("/api/v1/key", **auth_header(plain))

    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "personal"
    assert Decimal(body["balance"]) == Decimal("4.9700")
    assert Decimal(body["spend_limit"]) == Decimal("0.0500")
    assert body["limit_period"] == "day"
    assert Decimal(body["spent"]) == Decimal("0.0300")
    assert Decimal(body["spend_remaining"]) == Decimal("0.0200")
    assert datetime.fromisoformat(body["spend_reset_at"].replace("Z", "+00:00")) == midnight(
        today() + timedelta(days=1)
    )
    assert datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00")) == midnight(expiry)
    assert body["used"] == 3


def test_get_key_shows_nulls_for_a_key_without_limits(alice_client, alice, client):
    _, plain = make_key(alice_client)

    body = type(client)().get("/api/v1/key", **auth_header(plain)).json()

    assert body["spend_limit"] is None and body["spend_remaining"] is None and body["spend_reset_at"] is None
    assert Decimal(body["spent"]) == 0
    assert body["limit_period"] == "none"
    assert body["expires_at"] is None
    assert Decimal(body["balance"]) == Decimal("5.0000")


def test_the_gateway_refuses_the_call_past_the_limit_and_charges_nothing_for_it(
    alice_client, alice, echo, client
):
    _, plain = make_key(alice_client, spend_limit="0.0200", limit_period="day")
    caller = type(client)()

    answers = [call(caller, plain, f"call {n}") for n in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 402]
    refused = answers[2]
    assert refused.json()["error"]["code"] == "key_limit_reached"
    assert "$0.0200 per day is reached" in refused.json()["error"]["message"]
    reset = midnight(today() + timedelta(days=1))
    assert 0 < int(refused["Retry-After"]) <= int((reset - timezone.now()).total_seconds()) + 1
    alice.refresh_from_db()
    assert alice.credit_balance == Decimal("4.9800")
    assert UserHistory.objects.filter(user=alice).count() == 2
    html = alice_client.get("/me/keys/").content.decode()
    assert "$0.0200 of $0.0200 per day" in html
    assert "$0.0000 left" in html


def test_a_failed_call_spends_nothing_of_the_limit(alice_client, alice, dana, upstream, settings, client):
    settings.UPSTREAM_PRIVATE_NETWORKS = True
    AIModelFactory(
        developer=dana, api_name="broken", endpoint_url=f"{upstream.url}/fail", price_per_request=PRICE
    )
    api_key, plain = make_key(alice_client, spend_limit="0.0100", limit_period="day")
    caller = type(client)()

    answers = [invoke(caller, "broken", {"prompt": "x"}, plain).status_code for _ in range(3)]

    assert answers == [502, 502, 502]  # never key_limit_reached: nothing was spent
    assert ApiKeySpend.objects.get(api_key=api_key).spent == Decimal("0.0000")


def test_lowering_the_limit_below_what_was_spent_stops_the_key_at_once(alice_client, alice, echo, client):
    api_key, plain = make_key(alice_client, spend_limit="1", limit_period="day")
    caller = type(client)()
    for n in range(3):
        assert call(caller, plain, f"call {n}").status_code == 200

    alice_client.post(limits_url(api_key), {"spend_limit": "0.0200", "limit_period": "day"})
    refused = call(caller, plain, "after lowering")

    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "key_limit_reached"
    assert "($0.0300 spent; this call costs $0.0100)" in refused.json()["error"]["message"]
    html = alice_client.get("/me/keys/").content.decode()
    assert "$0.0300 of $0.0200 per day" in html
    assert "$0.0000 left" in html

    alice_client.post(limits_url(api_key), {"spend_limit": "0.0400", "limit_period": "day"})
    assert call(caller, plain, "after raising").status_code == 200
    assert call(caller, plain, "one too many").status_code == 402


def test_switching_a_daily_limit_to_a_monthly_one_still_counts_this_months_spending(
    alice_client, alice, echo, client
):
    api_key, plain = make_key(alice_client, spend_limit="1", limit_period="day")
    caller = type(client)()
    for n in range(3):
        assert call(caller, plain, f"call {n}").status_code == 200

    alice_client.post(limits_url(api_key), {"spend_limit": "0.0300", "limit_period": "month"})

    assert (
        "it has spent $0.0300 of $0.0300 per month" in alice_client.get(limits_url(api_key)).content.decode()
    )
    assert call(caller, plain, "past the monthly limit").status_code == 402


def test_a_limit_put_on_a_key_that_already_spent_today_stops_it_at_once(alice_client, alice, echo, client):
    api_key, plain = make_key(alice_client)
    caller = type(client)()
    for n in range(3):
        assert call(caller, plain, f"call {n}").status_code == 200

    alice_client.post(limits_url(api_key), {"spend_limit": "0.0200", "limit_period": "day"})

    assert "it has spent $0.0300 of $0.0200 per day" in alice_client.get(limits_url(api_key)).content.decode()
    assert call(caller, plain, "past the new limit").status_code == 402


def test_an_expired_key_gets_401_key_expired_and_costs_nothing(alice_client, alice, echo, client):
    api_key, plain = make_key(alice_client, expires_on=(today() + timedelta(days=1)).isoformat())
    caller = type(client)()
    assert call(caller, plain).status_code == 200
    # The expiry day has come: at 00:00 UTC that day the key stops.
    UserApiKey.objects.filter(pk=api_key.pk).update(expires_at=midnight(today()))
    alice.refresh_from_db()
    before = alice.credit_balance

    response = call(caller, plain, "too late")
    key_info = caller.get("/api/v1/key", **auth_header(plain))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "key_expired"
    assert key_info.status_code == 401
    assert key_info.json()["error"]["code"] == "key_expired"
    alice.refresh_from_db()
    assert alice.credit_balance == before
    assert UserHistory.objects.filter(user=alice).count() == 1


def test_a_key_that_expires_tomorrow_still_works_today(alice_client, alice, echo, client):
    _, plain = make_key(alice_client, expires_on=(today() + timedelta(days=1)).isoformat())

    assert call(type(client)(), plain).status_code == 200


def test_moving_the_expiry_forward_on_the_limits_page_brings_an_expired_key_back(
    alice_client, alice, echo, client
):
    api_key, plain = make_key(alice_client)
    UserApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    caller = type(client)()
    assert call(caller, plain).status_code == 401

    later = today() + timedelta(days=7)
    alice_client.post(limits_url(api_key), {"spend_limit": "", "expires_on": later.isoformat()})

    assert call(caller, plain).status_code == 200
