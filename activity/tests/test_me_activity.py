"""/me/activity/: a user's calls and spending per day, model and key, the CSV export and the credit ledger."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import keys
from accounts.models import CreditKind, CreditLedgerEntry
from accounts.tests.factories import UserApiKeyFactory, UserFactory
from activity.models import UserHistory
from activity.selectors_activity import LEDGER_PAGE_SIZE, balance_after, ledger_entries
from activity.tests.factories import UserHistoryFactory
from activity.tests.helpers import invoke
from catalog.tests.factories import AIModelFactory

URL = "/me/activity/"
EXPORT_URL = "/me/activity/export.csv"


@pytest.fixture
def echo_model(dana, upstream):
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        display_name="Echo",
        endpoint_url=f"{upstream.url}/echo",
        price_per_request=Decimal("0.0100"),
    )


@pytest.fixture
def carol(db):
    """A user with 0.05 credits and a personal key named "ci"."""
    return UserFactory(username="carol", credits="0.05")


@pytest.fixture
def carol_key(carol) -> str:
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=carol, key=plain, name="ci")
    return plain


def days_ago(days: int, hour: int = 12) -> dt.datetime:
    today = timezone.now().astimezone(dt.UTC).date()
    return dt.datetime.combine(today - dt.timedelta(days=days), dt.time(hour), tzinfo=dt.UTC)


def history(user, model, *, days: int, cost: str = "0.0100", key: str = "playground", **extra):
    return UserHistoryFactory(
        user=user,
        model=model,
        request_timestamp=days_ago(days),
        cost_incurred=cost,
        api_key_used=key,
        **extra,
    )


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# Permissions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [URL, EXPORT_URL])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/me/activity/")


def test_it_rejects_a_post(alice_client):
    assert alice_client.post(URL).status_code == 405


def test_it_shows_only_the_signed_in_users_own_figures(client, alice, bob, model):
    history(bob, model, days=0, cost="0.5000", prompt="bob's")
    history(alice, model, days=0, cost="0.0200")
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["period_calls"] == 1
    assert response.context["period_spent"] == Decimal("0.0200")
    assert "$0.5000" not in response.content.decode()


# The page ------------------------------------------------------------------------------------------------


def test_calls_through_the_gateway_show_up_by_day_model_key_and_in_the_ledger(
    client, carol, carol_key, echo_model
):
    for prompt in ("one", "two"):
        assert invoke(client, "echo", {"prompt": prompt}, carol_key).status_code == 200
    client.force_login(carol)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["period_calls"] == 2
    assert response.context["period_spent"] == Decimal("0.0200")
    calls, spending = response.context["charts"]
    assert calls.series[0].values[-1] == 2 and sum(calls.series[0].values) == 2
    assert spending.series[0].values[-1] == Decimal("0.0200")
    [by_model] = response.context["by_model"]
    assert (by_model.label, by_model.detail, by_model.calls, by_model.spent) == (
        "Echo",
        "echo",
        2,
        Decimal("0.02"),
    )
    assert by_model.calls_share == 1.0 and by_model.spent_share == 1.0
    [by_key] = response.context["by_key"]
    assert (by_key.label, by_key.detail) == ("ci", f"{keys.display_prefix(carol_key)}…")
    kinds = [line.entry.kind for line in response.context["ledger"]]
    assert sorted(kinds) == sorted(["grant"] + ["reservation", "release", "charge"] * 2)
    assert "<dd>$0.0300</dd>" in html  # the balance, prominently
    assert "Calls per day" in html and "Spending per day" in html
    entry_ids = {str(pk) for pk in UserHistory.objects.filter(user=carol).values_list("pk", flat=True)}
    for history_id in entry_ids:
        assert reverse("history:detail", args=[history_id]) in html


def test_the_ledger_keeps_a_running_balance_newest_first(client, carol, carol_key, echo_model):
    invoke(client, "echo", {"prompt": "one"}, carol_key)
    client.force_login(carol)

    lines = client.get(URL).context["ledger"]

    # Newest first: within the call's record, the charge after the release; then the reservation; the grant.
    assert [(line.entry.kind, line.entry.amount, line.balance_after) for line in lines] == [
        ("charge", Decimal("-0.0100"), Decimal("0.0400")),
        ("release", Decimal("0.0100"), Decimal("0.0500")),
        ("reservation", Decimal("-0.0100"), Decimal("0.0400")),
        ("grant", Decimal("0.0500"), Decimal("0.0500")),
    ]


def test_a_ledger_entry_whose_history_entry_is_deleted_has_no_link(client, carol, carol_key, echo_model):
    invoke(client, "echo", {"prompt": "one"}, carol_key)
    entry = UserHistory.objects.get(user=carol)
    history_id = entry.pk
    entry.delete()
    client.force_login(carol)

    response = client.get(URL)

    assert reverse("history:detail", args=[history_id]) not in response.content.decode()
    assert "(history entry deleted)" in response.content.decode()
    assert all(not line.history_exists for line in response.context["ledger"] if line.entry.history_id)


def test_the_ledger_pages_carry_the_balance_across(client, alice, staff):
    # alice has the welcome grant; 30 more entries make two pages.
    for i in range(30):
        CreditLedgerEntry.objects.create(
            user=alice,
            amount=Decimal("0.1000"),
            kind=CreditKind.TOP_UP,
            note=f"top-up {i}",
            created_by_id=staff.pk,
        )
    alice.refresh_from_db()
    client.force_login(alice)

    first = client.get(URL).context
    second = client.get(URL, {"page": 2}).context

    assert len(first["ledger"]) == LEDGER_PAGE_SIZE and len(second["ledger"]) == 31 - LEDGER_PAGE_SIZE
    assert first["ledger"][0].balance_after == alice.credit_balance
    last_of_first = first["ledger"][-1]
    assert second["ledger"][0].balance_after == last_of_first.balance_after - last_of_first.entry.amount
    assert second["ledger"][-1].entry.kind == "grant"
    assert second["ledger"][-1].balance_after == second["ledger"][-1].entry.amount


def test_balance_after_reads_what_the_window_of_the_whole_ledger_would(alice, staff):
    for amount in ("1.0000", "-0.2500", "0.0100"):
        CreditLedgerEntry.objects.create(
            user=alice, amount=Decimal(amount), kind=CreditKind.ADJUSTMENT, created_by_id=staff.pk
        )
    entries = list(ledger_entries(user=alice))
    running = sum(e.amount for e in entries)

    for entry in entries:  # newest first
        assert balance_after(user=alice, entry=entry) == running
        running -= entry.amount


def test_the_period_switch_is_plain_links_defaulting_to_30_days(alice_client, alice, model):
    history(alice, model, days=3)
    history(alice, model, days=20)
    history(alice, model, days=60)

    default = alice_client.get(URL)
    week = alice_client.get(URL, {"days": 7})
    quarter = alice_client.get(URL, {"days": 90})

    assert default.context["days_count"] == 30 and default.context["period_calls"] == 2
    assert week.context["period_calls"] == 1 and len(week.context["charts"][0].days) == 7
    assert quarter.context["period_calls"] == 3 and len(quarter.context["charts"][0].days) == 90
    html = week.content.decode()
    assert '<a href="/me/activity/?days=7" aria-current="page">7 days</a>' in html
    assert '<a href="/me/activity/?days=90">90 days</a>' in html


@pytest.mark.parametrize("days", ["13", "abc", "-7", "7.0"])
def test_an_unknown_period_shows_the_default_and_says_why(alice_client, days):
    response = alice_client.get(URL, {"days": days})

    assert response.status_code == 200
    assert response.context["days_count"] == 30
    assert "is not a period this page shows" in response.content.decode()


def test_the_breakdowns_split_calls_and_spending_by_model_and_key(alice_client, alice, dana, model):
    other = AIModelFactory(developer=dana, api_name="other", display_name="Other", price_per_request="0")
    laptop = UserApiKeyFactory(user=alice, name="laptop")
    history(alice, model, days=1, cost="0.0300", key=laptop.key_prefix)
    history(alice, model, days=2, cost="0.0100", key="playground")
    history(alice, other, days=2, cost="0.0000", key="playground")
    history(alice, other, days=2, cost="0.0000", key="")

    context = alice_client.get(URL).context

    assert [(r.label, r.calls, r.spent, r.spent_share) for r in context["by_model"]] == [
        (model.display_name, 2, Decimal("0.0400"), 1.0),
        ("Other", 2, Decimal("0.0000"), 0.0),
    ]
    assert [r.calls_share for r in context["by_model"]] == [0.5, 0.5]
    assert [(r.label, r.calls, r.spent) for r in context["by_key"]] == [
        ("laptop", 1, Decimal("0.0300")),
        ("Playground", 2, Decimal("0.0100")),
        ("Not recorded", 1, Decimal("0.0000")),
    ]
    assert context["by_key"][0].spent_share == pytest.approx(0.75)


def test_days_follow_utc_and_a_day_without_calls_is_zero(alice_client, alice, model):
    history(alice, model, days=1, cost="0.0100")
    UserHistoryFactory(
        user=alice, model=model, request_timestamp=days_ago(1, hour=0) , cost_incurred="0.0200", api_key_used="x"
    )  # fmt: skip

    calls, spending = alice_client.get(URL, {"days": 7}).context["charts"]

    assert list(calls.series[0].values) == [0, 0, 0, 0, 0, 2, 0]
    assert list(spending.series[0].values) == [0, 0, 0, 0, 0, Decimal("0.0300"), 0]


def test_an_empty_account_renders(client, db):
    user = UserFactory(credits="0")
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 200
    assert "No calls in this period." in response.content.decode()
    assert "No credit movements yet." in response.content.decode()
    assert "<dd>$0.0000</dd>" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_the_page_reads_a_fixed_number_of_queries(
    client, alice, dana, staff, django_assert_max_num_queries, rows
):
    models = [AIModelFactory(developer=dana) for _ in range(3)]
    laptop = UserApiKeyFactory(user=alice, name="laptop")
    for i in range(rows):
        history(alice, models[i % 3], days=i % 30, key=laptop.key_prefix if i % 2 else "playground")
        CreditLedgerEntry.objects.create(user=alice, amount=Decimal("0.01"), kind=CreditKind.GRANT)
    client.force_login(alice)

    # session, user, the days, the models, the keys, the ledger's count, its page and its balance
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"page": 2} if rows > 25 else {})

    assert response.status_code == 200


# The CSV export -----------------------------------------------------------------------------------------


def test_the_export_has_one_row_per_day_model_and_key(alice_client, alice, dana, model):
    other = AIModelFactory(developer=dana, api_name="other", display_name="Other")
    laptop = UserApiKeyFactory(user=alice, name="laptop")
    history(alice, model, days=1, cost="0.0100", key=laptop.key_prefix)
    history(alice, model, days=1, cost="0.0250", key=laptop.key_prefix, session_id="s2")
    history(alice, model, days=1, cost="0.0100", key="playground")
    history(alice, other, days=2, cost="0.0000", key="playground")
    history(alice, other, days=40, cost="0.0100", key="playground")  # outside 30 days

    response = alice_client.get(EXPORT_URL, {"days": 30})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    day1 = (timezone.now().astimezone(dt.UTC).date() - dt.timedelta(days=1)).isoformat()
    day2 = (timezone.now().astimezone(dt.UTC).date() - dt.timedelta(days=2)).isoformat()
    assert read_csv(response) == [
        ["day", "model", "model_name", "key", "key_name", "calls", "spent"],
        [day2, "other", "Other", "playground", "Playground", "1", "0.0000"],
        [day1, model.api_name, model.display_name, laptop.key_prefix, "laptop", "2", "0.0350"],
        [day1, model.api_name, model.display_name, "playground", "Playground", "1", "0.0100"],
    ]


def test_the_export_follows_the_period_and_refuses_an_unknown_one(alice_client, alice, model):
    history(alice, model, days=10)

    assert len(read_csv(alice_client.get(EXPORT_URL, {"days": 7}))) == 1  # the header alone
    assert len(read_csv(alice_client.get(EXPORT_URL, {"days": 90}))) == 2
    bad = alice_client.get(EXPORT_URL, {"days": "365"})
    assert bad.status_code == 400
    assert "not a period" in bad.content.decode()


def test_the_export_holds_only_the_users_own_rows(client, alice, bob, model):
    history(bob, model, days=1)
    client.force_login(alice)

    assert read_csv(client.get(EXPORT_URL)) == [
        ["day", "model", "model_name", "key", "key_name", "calls", "spent"]
    ]


def test_the_profile_links_the_page(alice_client):
    assert 'href="/me/activity/"' in alice_client.get("/me/").content.decode()
