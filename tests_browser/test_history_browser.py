"""A user filters their history and exports the filtered list as CSV."""

import csv
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from activity.models import HistoryStatus
from activity.tests.factories import UserHistoryFactory
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.browser

T0 = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)


def test_a_user_filters_their_history_and_exports_it(
    page, live_server, screenshot, alice, password, model, bob
):
    translator = AIModelFactory(api_name="eve-translator", display_name="Eve Translator")
    for n in range(30):
        UserHistoryFactory(
            user=alice,
            model=model if n % 2 else translator,
            prompt=f"question {n} about {'tides' if n % 3 == 0 else 'poems'}",
            status=HistoryStatus.FAILED if n == 9 else HistoryStatus.COMPLETED,
            request_timestamp=T0 + timedelta(hours=n),
        )
    UserHistoryFactory(user=bob, model=model, prompt="bob asks about tides")

    page.goto("/me/history/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/me/history/")
    page.get_by_label("Username or email").fill("alice@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your history")
    expect(page.get_by_text("30 interactions")).to_be_visible()

    page.get_by_label("Model").select_option(label="Dana Summarizer")
    page.get_by_label("Text in the prompt").fill("tides")
    page.get_by_role("button", name="Apply filters").click()

    # Odd n uses Dana's model; of those, multiples of 3 mention tides: 3, 9, 15, 21, 27.
    rows = page.locator(".history-table tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("question 27 about tides")
    expect(page.get_by_text("bob asks about tides")).to_have_count(0)
    screenshot("history-filtered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("history-")
    with open(download.path(), newline="", encoding="utf-8") as handle:
        exported = list(csv.DictReader(handle))
    assert [row["prompt"] for row in exported] == [f"question {n} about tides" for n in (27, 21, 15, 9, 3)]
    assert {row["model"] for row in exported} == {"dana-summarizer"}
    assert [row["status"] for row in exported if row["prompt"] == "question 9 about tides"] == ["failed"]

    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interaction with Dana Summarizer")
    page.get_by_label("4 of 5").check()
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_role("status")).to_contain_text("You rated this answer 4 of 5")
    screenshot("history-detail-rated")
