"""A user with a few credits calls a priced model in the playground until the balance runs out, then reads
their calls, spending and credit ledger at /me/activity/, on a desktop and on a phone."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

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
