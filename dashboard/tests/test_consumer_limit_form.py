"""A developer sets a model's "Calls per user per month" (consumer_monthly_limit) in its edit form; the
gateway then stops each user at it (429 consumer_limit_reached with Retry-After) and the developer's quota
counts only the calls forwarded. Only the owning developer reaches the form."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import keys
from accounts.tests.factories import UserApiKeyFactory
from activity.gateway.quota import month_start, next_month_start
from activity.models import DeveloperMonthlyUsage, ModelConsumerUsage, UserHistory
from activity.tests.helpers import invoke
from catalog.models import AIModel
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

PRICE = Decimal("0.0100")


@pytest.fixture(autouse=True)
def _welcome_grant_of_five_dollars(settings):
    """The figures below start from the welcome grant's default, whatever the environment says."""
    settings.WELCOME_CREDITS = "5.00"


@pytest.fixture
def echo(dana, upstream, settings, model_key):
    """dana's public model priced $0.0100 a call, answered by the demo echo upstream on 127.0.0.1."""
    settings.UPSTREAM_PRIVATE_NETWORKS = True
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        display_name="Echo",
        endpoint_url=f"{upstream.url}/echo",
        price_per_request=PRICE,
        key=model_key,
    )


@pytest.fixture
def model_key() -> str:
    return keys.generate_model_key()


def edit_url(model: AIModel) -> str:
    return reverse("dashboard:model_edit", args=[model.api_name])


def listing(model: AIModel, limit: str) -> dict:
    """The edit form as the developer sends it: the model's current values, with `limit` typed in."""
    return {
        "model_name": model.model_name,
        "display_name": model.display_name,
        "description": model.description,
        "category": model.category,
        "tags": ", ".join(model.tags),
        "endpoint_url": model.endpoint_url,
        "price_per_request": str(model.price_per_request),
        "consumer_monthly_limit": limit,
        "is_public": "on" if model.is_public else "",
    }


def personal_key(user) -> str:
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=user, key=plain)
    return plain


def quota_calls(developer) -> int:
    row = DeveloperMonthlyUsage.objects.filter(developer=developer, month=month_start(timezone.now())).first()
    return row.calls if row else 0


def share_calls(model, user) -> int:
    row = ModelConsumerUsage.objects.filter(model=model, user=user, month=month_start(timezone.now())).first()
    return row.calls if row else 0


# The form ------------------------------------------------------------------------------------------------


def test_the_edit_form_offers_calls_per_user_per_month_with_its_explanation(signed_in, echo):
    html = signed_in.get(edit_url(echo)).content.decode()

    assert '<label for="id_consumer_monthly_limit">Calls per user per month' in html
    assert 'name="consumer_monthly_limit"' in html
    assert "429 consumer_limit_reached" in html


def test_the_developer_sets_the_limit_and_sees_it_saved(signed_in, echo):
    response = signed_in.post(edit_url(echo), listing(echo, "2"))

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:model_detail", args=["echo"])
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Echo was saved."]
    echo.refresh_from_db()
    assert echo.consumer_monthly_limit == 2
    assert 'value="2"' in signed_in.get(edit_url(echo)).content.decode()


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("-1", None),
        ("1.5", "Enter a whole number."),
        ("two", "Enter a whole number."),
        ("99999999999", "Ensure this value is less than or equal to 2147483647."),
    ],
)
def test_a_limit_below_one_call_or_not_a_whole_number_is_refused_and_changes_nothing(
    signed_in, echo, value, message
):
    AIModel.objects.filter(pk=echo.pk).update(consumer_monthly_limit=5)
    echo.refresh_from_db()

    response = signed_in.post(edit_url(echo), listing(echo, value))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["consumer_monthly_limit"]
    assert errors["consumer_monthly_limit"]
    if message is not None:
        assert message in errors["consumer_monthly_limit"]
    assert "field-error" in response.content.decode()
    echo.refresh_from_db()
    assert echo.consumer_monthly_limit == 5


def test_a_negative_limit_is_told_the_real_minimum_of_one_call(signed_in, echo):
    response = signed_in.post(edit_url(echo), listing(echo, "-1"))

    assert response.status_code == 200
    (message,) = response.context["form"].errors["consumer_monthly_limit"]
    assert "0." not in message and "1" in message


def test_an_empty_limit_clears_it(signed_in, echo):
    AIModel.objects.filter(pk=echo.pk).update(consumer_monthly_limit=3)
    echo.refresh_from_db()

    response = signed_in.post(edit_url(echo), listing(echo, ""))

    assert response.status_code == 302
    echo.refresh_from_db()
    assert echo.consumer_monthly_limit is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_developer_cannot_reach_or_change_the_limit(client, eve, echo, method):
    client.force_login(eve.user)

    response = getattr(client, method)(edit_url(echo), listing(echo, "1") if method == "post" else None)

    assert response.status_code == 404
    echo.refresh_from_db()
    assert echo.consumer_monthly_limit is None


@pytest.mark.parametrize("who", ["alice", "anonymous"])
def test_a_user_who_is_not_the_developer_cannot_change_the_limit(client, alice, echo, who):
    if who == "alice":
        client.force_login(alice)

    response = client.post(edit_url(echo), listing(echo, "1"))

    assert response.status_code == 404
    echo.refresh_from_db()
    assert echo.consumer_monthly_limit is None


# Held by the gateway -------------------------------------------------------------------------------------


def test_users_calls_stop_at_the_limit_while_the_quota_counts_only_forwarded_calls(
    signed_in, dana, alice, bob, echo
):
    assert signed_in.post(edit_url(echo), listing(echo, "2")).status_code == 302
    alices, bobs = personal_key(alice), personal_key(bob)
    api = Client()
    quota_before = quota_calls(dana)

    answers = [invoke(api, "echo", {"prompt": f"call {n}"}, alices) for n in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 429, 429]
    refused = answers[2]
    assert refused.json()["error"]["code"] == "consumer_limit_reached"
    assert "this month's 2 calls of 'echo'" in refused.json()["error"]["message"]
    now = timezone.now()
    until_next_month = int((next_month_start(now) - now).total_seconds())
    assert until_next_month - 60 <= int(refused["Retry-After"]) <= until_next_month + 2
    assert quota_calls(dana) == quota_before + 2
    assert share_calls(echo, alice) == 2
    assert UserHistory.objects.filter(user=alice, model=echo).count() == 2
    alice.refresh_from_db()
    assert alice.credit_balance == Decimal("4.9800")  # the refused calls cost nothing

    # The share is each user's: bob still has his.
    assert invoke(api, "echo", {"prompt": "bob"}, bobs).status_code == 200
    assert quota_calls(dana) == quota_before + 3


def test_the_models_own_key_is_never_held_by_the_share(signed_in, dana, alice, echo, model_key):
    signed_in.post(edit_url(echo), listing(echo, "1"))
    api = Client()
    assert invoke(api, "echo", {"prompt": "alice"}, personal_key(alice)).status_code == 200

    answers = [invoke(api, "echo", {"prompt": f"own {n}"}, model_key).status_code for n in range(3)]

    assert answers == [200, 200, 200]
    assert quota_calls(dana) == 4


def test_raising_or_clearing_the_limit_lets_the_user_call_again(signed_in, alice, echo):
    signed_in.post(edit_url(echo), listing(echo, "1"))
    alices = personal_key(alice)
    api = Client()
    assert invoke(api, "echo", {"prompt": "one"}, alices).status_code == 200
    assert invoke(api, "echo", {"prompt": "two"}, alices).status_code == 429

    echo.refresh_from_db()
    signed_in.post(edit_url(echo), listing(echo, "2"))
    assert invoke(api, "echo", {"prompt": "three"}, alices).status_code == 200
    assert invoke(api, "echo", {"prompt": "four"}, alices).status_code == 429

    echo.refresh_from_db()
    signed_in.post(edit_url(echo), listing(echo, ""))
    assert invoke(api, "echo", {"prompt": "five"}, alices).status_code == 200


def test_lowering_the_limit_below_this_months_calls_stops_the_user_at_once(signed_in, alice, echo):
    alices = personal_key(alice)
    api = Client()
    signed_in.post(edit_url(echo), listing(echo, "10"))
    for n in range(3):
        assert invoke(api, "echo", {"prompt": f"call {n}"}, alices).status_code == 200

    echo.refresh_from_db()
    signed_in.post(edit_url(echo), listing(echo, "2"))
    response = invoke(api, "echo", {"prompt": "after lowering"}, alices)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "consumer_limit_reached"


def test_the_months_share_is_counted_in_utc_months(signed_in, alice, echo):
    """A call counted last month does not count against this month's share."""
    signed_in.post(edit_url(echo), listing(echo, "1"))
    this_month = month_start(timezone.now())
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    ModelConsumerUsage.objects.create(model=echo, user=alice, month=last_month, calls=1)

    assert invoke(Client(), "echo", {"prompt": "new month"}, personal_key(alice)).status_code == 200
    assert share_calls(echo, alice) == 1
