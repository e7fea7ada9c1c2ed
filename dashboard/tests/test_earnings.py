"""/dashboard/earnings/: a developer's monthly earnings per model, from the ledger's charges, and its CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import keys
from accounts.models import CreditKind, CreditLedgerEntry
from accounts.tests.factories import UserApiKeyFactory, UserFactory
from activity.tests.helpers import invoke
from catalog.tests.factories import AIModelFactory
from dashboard.selectors_earnings import next_month, parse_month, previous_month

URL = "/dashboard/earnings/"
EXPORT_URL = "/dashboard/earnings/export.csv"
HEADER = ["month", "model", "model_name", "charged_calls", "earnings"]


def this_month() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date().replace(day=1)


def charge(user, model, amount: str, *, at: dt.datetime | None = None) -> CreditLedgerEntry:
    """A charge as the gateway writes it when an answered call is recorded (its release is irrelevant here)."""
    values = {"created_at": at} if at else {}
    return CreditLedgerEntry.objects.create(
        user=user, amount=Decimal(amount), kind=CreditKind.CHARGE, model_id=model.pk, **values
    )


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def second(dana):
    return AIModelFactory(
        developer=dana, api_name="dana-second", display_name="Second", price_per_request="0.05"
    )


# Permissions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [URL, EXPORT_URL])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/earnings/")


@pytest.mark.parametrize("path", [URL, EXPORT_URL])
def test_a_user_who_is_not_a_developer_gets_a_404(client, alice, path):
    client.force_login(alice)

    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [URL, EXPORT_URL])
def test_another_developers_model_is_a_404(client, eve, model, path):
    client.force_login(eve.user)

    assert client.get(path, {"model": model.api_name}).status_code == 404
    assert client.get(path).status_code == 200  # eve's own statement, without dana's model


def test_another_developer_sees_none_of_its_earnings(client, eve, model, alice):
    charge(alice, model, "-0.0100")
    client.force_login(eve.user)

    response = client.get(URL)

    assert response.context["statement"].rows == []
    assert model.display_name not in response.content.decode()


# The statement ------------------------------------------------------------------------------------------


def test_charged_calls_through_the_gateway_are_the_models_earnings(client, dana, upstream, signed_in):
    echo = AIModelFactory(
        developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo", price_per_request="0.0100"
    )
    broken = AIModelFactory(
        developer=dana, api_name="broken", endpoint_url=f"{upstream.url}/fail", price_per_request="0.0200"
    )
    user = UserFactory(credits="1")
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=user, key=plain)
    for prompt in ("a", "b", "c"):
        assert invoke(client, "echo", {"prompt": prompt}, plain).status_code == 200
    assert invoke(client, "broken", {"prompt": "x"}, plain).status_code == 502  # forwarded, not charged
    response = signed_in.get(URL)

    assert response.status_code == 200
    rows = {row.model.api_name: (row.calls, row.earnings) for row in response.context["statement"].rows}
    assert rows == {echo.api_name: (3, Decimal("0.0300")), broken.api_name: (0, Decimal("0"))}
    assert response.context["statement"].earnings == Decimal("0.0300")
    assert response.context["statement"].calls == 3
    assert "$0.0300" in response.content.decode()


def test_it_sums_the_month_per_model_with_totals(signed_in, dana, model, second, alice, bob):
    for user in (alice, bob):
        charge(user, model, "-0.0100")
    charge(alice, second, "-0.0500")
    charge(alice, second, "-0.0500")
    CreditLedgerEntry.objects.create(
        user=alice, amount=Decimal("-0.0500"), kind=CreditKind.RESERVATION, model_id=second.pk
    )
    CreditLedgerEntry.objects.create(
        user=alice, amount=Decimal("0.0500"), kind=CreditKind.RELEASE, model_id=second.pk
    )

    statement = signed_in.get(URL).context["statement"]

    assert [(r.model.api_name, r.calls, r.earnings) for r in statement.rows] == [
        ("dana-second", 2, Decimal("0.1000")),
        (model.api_name, 2, Decimal("0.0200")),
    ]
    assert (statement.calls, statement.earnings) == (4, Decimal("0.1200"))


def test_the_month_switcher_reads_one_calendar_month(signed_in, dana, model, alice):
    month = this_month()
    last = previous_month(month)
    charge(alice, model, "-0.0100")
    charge(alice, model, "-0.0100", at=dt.datetime.combine(last, dt.time(0, 0), tzinfo=dt.UTC))
    charge(
        alice,
        model,
        "-0.0100",
        at=dt.datetime.combine(month, dt.time(0, 0), tzinfo=dt.UTC) - dt.timedelta(seconds=1),
    )

    now = signed_in.get(URL)
    before = signed_in.get(URL, {"month": f"{last:%Y-%m}"})

    assert now.context["month"] == month and now.context["statement"].calls == 1
    assert before.context["statement"].calls == 2
    html = before.content.decode()
    assert f'href="?month={month:%Y-%m}"' in html  # the next month from last month
    assert f'href="?month={previous_month(last):%Y-%m}"' in html
    assert now.context["next"] is None  # no month after the current one


@pytest.mark.parametrize("month", ["2026-13", "26-01", "last", "2026-1", "1999-12"])
def test_a_bad_month_shows_this_month_and_says_why(signed_in, month):
    response = signed_in.get(URL, {"month": month})

    assert response.status_code == 200
    assert response.context["month"] == this_month()
    assert "is not a month" in response.content.decode()


def test_one_model_shows_its_days(signed_in, dana, model, alice):
    month = this_month()
    first_day = dt.datetime.combine(month, dt.time(10), tzinfo=dt.UTC)
    charge(alice, model, "-0.0100", at=first_day)
    charge(alice, model, "-0.0100", at=first_day + dt.timedelta(hours=1))

    response = signed_in.get(URL, {"model": model.api_name, "month": f"{month:%Y-%m}"})

    assert response.status_code == 200
    [day] = response.context["days"]
    assert (day.day, day.calls, day.earnings) == (month, 2, Decimal("0.0200"))
    assert [row.model for row in response.context["statement"].rows] == [model]


def test_the_page_reads_a_fixed_number_of_queries(signed_in, dana, alice, django_assert_max_num_queries):
    models = [AIModelFactory(developer=dana) for _ in range(12)]
    for i in range(60):
        charge(alice, models[i % 12], "-0.0100")

    with django_assert_max_num_queries(6):  # session, user, developer, models, the charges
        response = signed_in.get(URL)

    assert response.context["statement"].calls == 60


def test_the_navigation_links_the_statement(signed_in):
    assert 'href="/dashboard/earnings/"' in signed_in.get("/dashboard/").content.decode()


# The CSV ------------------------------------------------------------------------------------------------


def test_the_csv_has_a_row_per_model_for_the_month(signed_in, dana, model, second, alice):
    charge(alice, model, "-0.0100")
    charge(alice, second, "-0.0500")
    month = this_month()

    response = signed_in.get(EXPORT_URL, {"month": f"{month:%Y-%m}"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="earnings-{month:%Y-%m}.csv"' in response["Content-Disposition"]
    assert read_csv(response) == [
        HEADER,
        [f"{month:%Y-%m}", "dana-second", "Second", "1", "0.0500"],
        [f"{month:%Y-%m}", model.api_name, model.display_name, "1", "0.0100"],
    ]


def test_the_csv_refuses_a_bad_month(signed_in):
    response = signed_in.get(EXPORT_URL, {"month": "2026-13"})

    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


def test_months_parse_and_step_across_years():
    assert parse_month("2026-12") == dt.date(2026, 12, 1)
    assert parse_month("2026-00") is None and parse_month("") is None and parse_month(None) is None
    assert next_month(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)
    assert previous_month(dt.date(2027, 1, 1)) == dt.date(2026, 12, 1)
    assert previous_month(dt.date(2026, 5, 1)) == dt.date(2026, 4, 1)
