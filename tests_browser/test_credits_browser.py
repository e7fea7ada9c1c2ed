"""A user with a few credits calls a priced model in the playground until the balance runs out, then reads
their calls, spending and credit ledger at /me/activity/, on a desktop and on a phone; a developer reads
what their models earned in the month."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import CreditKind, CreditLedgerEntry
from accounts.tests.factories import UserFactory
from activity.models import UserHistory
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def echo(dana, upstream):
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        display_name="Echo",
        endpoint_url=f"{upstream.url}/echo",
        price_per_request=Decimal("0.0100"),
    )


def test_a_user_spends_their_credits_in_the_playground_and_reads_the_ledger(
    page, live_server, screenshot, password, echo
):
    UserFactory(username="carol", email="carol@example.com", credits="0.03")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/accounts/login/?next=/models/echo/")
    page.get_by_label("Username or email").fill("carol")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/models/echo/"))

    panel = page.locator("#playground")
    for n in range(1, 4):
        page.get_by_label("Prompt").fill(f"Question number {n}")
        page.get_by_role("button", name="Run").click()
        expect(panel.locator(".playground-response").last).to_contain_text(f"Question number {n}")
    assert UserHistory.objects.count() == 3

    page.get_by_label("Prompt").fill("One question too many")
    page.get_by_role("button", name="Run").click()
    expect(panel).to_contain_text(
        re.compile(r"balance of \$0\.0000 does not cover this call.s price of \$0\.0100")
    )
    assert UserHistory.objects.count() == 3  # refused before forwarding: nothing recorded, nothing charged
    screenshot("credits-playground-refused-1366")

    page.goto("/me/")
    page.get_by_role("link", name="Calls and spending").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your calls and spending")
    expect(page.locator(".spending-balance dd")).to_have_text("$0.0000")
    expect(page.get_by_text("3 calls and $0.0300 spent")).to_be_visible()
    expect(page.get_by_role("figure", name="Calls per day")).to_be_visible()
    expect(page.get_by_role("figure", name="Spending per day")).to_be_visible()
    by_model = page.get_by_role("table", name="Calls and spending by model")
    expect(by_model.get_by_role("row", name=re.compile("Echo"))).to_contain_text("$0.0300")
    by_key = page.get_by_role("table", name="Calls and spending by key")
    expect(by_key.get_by_role("row", name=re.compile("Playground"))).to_contain_text("100.0 %")

    ledger = page.locator(".ledger-table tbody tr")
    expect(ledger).to_have_count(10)  # the grant, then a reservation, release and charge per call
    expect(ledger.first).to_contain_text("Charge")
    expect(ledger.first).to_contain_text("−$0.0100")
    expect(ledger.first).to_contain_text("$0.0000")
    expect(ledger.last).to_contain_text("Grant")
    expect(ledger.last).to_contain_text("+$0.0300")
    screenshot("credits-activity-1366")

    page.get_by_role("link", name="7 days").click()
    expect(page.get_by_role("heading", name="Last 7 days")).to_be_visible()
    expect(page.get_by_text("3 calls and $0.0300 spent")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator(".spending-balance dd")).to_be_visible()
    screenshot("credits-activity-390")
    # Nothing wider than the phone but the charts and tables, which scroll inside their frames.
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1
              && !e.closest('.chart-frame, .table-wrap')).map(e => e.tagName + '.' + e.className)"""
    )
    assert wide == []

    ledger.first.get_by_role("link", name="Echo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interaction with Echo")


def test_a_developer_reads_the_months_earnings_and_downloads_them(
    page, live_server, screenshot, password, dana, echo
):
    buyer = UserFactory(credits="1")
    for _ in range(4):
        CreditLedgerEntry.objects.create(
            user=buyer, amount=Decimal("-0.0100"), kind=CreditKind.CHARGE, model_id=echo.pk
        )
    AIModelFactory(
        developer=dana, api_name="quiet", display_name="Quiet Model", price_per_request=Decimal("0.0500")
    )

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/accounts/login/?next=/dashboard/")
    page.get_by_label("Username or email").fill(dana.user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.locator(".dashboard-nav").get_by_role("link", name="Earnings").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Earnings in")
    rows = page.locator(".earnings-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Echo")
    expect(rows.first).to_contain_text("$0.0400")
    expect(rows.last).to_contain_text("Quiet Model")
    expect(page.locator(".earnings-table tfoot")).to_contain_text("$0.0400")
    screenshot("earnings-1366")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    with open(download_info.value.path(), encoding="utf-8") as handle:
        assert handle.read().splitlines()[1].split(",")[1:] == ["echo", "Echo", "4", "0.0400"]

    page.get_by_role("link", name=re.compile("^← ")).click()
    last_month = datetime.now(UTC).date().replace(day=1) - timedelta(days=1)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Earnings in {last_month:%B %Y}")
    expect(page.locator(".earnings-table tbody tr").first).to_contain_text("$0.0000")

    page.set_viewport_size({"width": 390, "height": 844})
    page.go_back()
    expect(page.locator(".earnings-table tbody tr").first).to_contain_text("$0.0400")
    screenshot("earnings-390")
