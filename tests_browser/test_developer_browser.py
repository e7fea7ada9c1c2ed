"""A verified user becomes a developer, lists a model, and reads its figures on the dashboard."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import keys
from accounts.models import Developer, DeveloperStatus
from accounts.tests.factories import PASSWORD, StaffFactory, UserFactory
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.models import AIModel, ModelStatus

pytestmark = pytest.mark.browser


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def run_admin_action(staff_page, changelist: str, pk, action: str) -> None:
    staff_page.goto(changelist)
    staff_page.locator(f'input[name="_selected_action"][value="{pk}"]').check()
    staff_page.locator('select[name="action"]').select_option(action)
    staff_page.locator('button[name="index"]').click()
    expect(staff_page.locator(".messagelist")).to_contain_text("approved")


def test_a_user_becomes_a_developer_lists_a_model_and_reads_its_dashboard(
    page, browser, live_server, screenshot
):
    UserFactory(username="ada", email="ada@example.com", first_name="Ada", last_name="Lovelace")
    StaffFactory(username="root", email="root@example.com")
    staff_context = browser.new_context(base_url=live_server.url)
    staff_page = staff_context.new_page()
    staff_page.set_default_timeout(10_000)

    # The user applies.
    sign_in(page, "ada")
    page.goto("/developers/apply/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Become a developer")
    page.get_by_label("Public username").fill("ada-labs")
    page.get_by_label("Business email").fill("hello@ada-labs.example.com")
    page.get_by_label("Company").fill("Ada Labs")
    page.get_by_label("GitHub profile").fill("https://github.com/ada")
    page.get_by_label("Expertise areas").fill("nlp, summarization")
    page.get_by_label("Years of experience").fill("12")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_role("heading", name=re.compile("State"))).to_contain_text("Pending approval")

    page.goto("/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your application is waiting for approval")

    # Staff approve the developer in the admin.
    developer = Developer.objects.get(username="ada-labs")
    sign_in(staff_page, "root")
    run_admin_action(staff_page, "/admin/accounts/developer/", developer.pk, "approve_developers")
    developer.refresh_from_db()
    assert developer.status == DeveloperStatus.ACTIVE

    # The developer lists a model; the api_name is checked as it is typed.
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    page.get_by_role("link", name="New model").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("List a new model")
    page.get_by_label("Model name").fill("ada-sum-7b")
    page.get_by_label("Display name").fill("Ada Summarizer")
    page.get_by_label("API name").press_sequentially("ada-sum")
    expect(page.locator("#api-name-status")).to_contain_text("is available")
    page.get_by_label("Description").fill("Summaries of long documents in plain English.")
    page.get_by_label("Category").select_option("summarization")
    page.get_by_label("Tags").fill("summarization, english")
    page.get_by_label("Endpoint URL").fill("http://127.0.0.1:9/generate")
    page.get_by_label("Price per request (USD)").fill("0.0200")
    page.get_by_role("button", name="Create model").click()

    # The key is shown once, in full; the developer copies it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Summarizer is created")
    key = page.locator("#new-api-key").inner_text().strip()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    model = AIModel.objects.get(api_name="ada-sum")
    assert model.status == ModelStatus.UNDER_REVIEW
    assert model.api_key == keys.hash_key(key)
    page.get_by_role("link", name="I have copied the key").click()
    expect(page.get_by_text(f"{model.api_key_prefix}…").first).to_be_visible()
    assert key not in page.content()

    # Staff approve the model; it appears in the catalog.
    run_admin_action(staff_page, "/admin/catalog/aimodel/", model.pk, "approve_models")
    page.goto("/models/")
    expect(page.get_by_role("link", name="Ada Summarizer").first).to_be_visible()

    # Calls arrive; the dashboard shows their figures and charts.
    now = timezone.now()
    for days_ago, count in ((3, 6), (1, 9), (0, 4)):
        for i in range(count):
            ApiUsageLogFactory(
                model=model,
                created_at=now - dt.timedelta(days=days_ago, minutes=i),
                processing_time_ms=80 + 40 * i,
                response_code=502 if i == 0 and days_ago == 1 else 200,
            )
    users = [UserFactory() for _ in range(3)]
    for user in users:
        UserHistoryFactory(model=model, user=user, cost_incurred=Decimal("0.0200"))

    page.goto("/dashboard/?days=7")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    figures = page.locator(".stat-grid")
    expect(figures.locator(".stat", has_text="Total requests")).to_contain_text("18")
    expect(figures.locator(".stat", has_text="Distinct users")).to_contain_text("3")
    expect(figures.locator(".stat", has_text="Revenue")).to_contain_text("$0.06")
    expect(
        page.get_by_text(
            "19 calls forwarded to your upstreams, 1 of them failed there; 0 refused before forwarding "
            "(bad requests, keys, credits, limits, quota); $0.06 revenue in this period."
        )
    ).to_be_visible()
    expect(page.locator("svg.chart[role=img]")).to_have_count(4)
    expect(page.locator("#chart-calls-desc")).to_contain_text("total 19")
    expect(page.get_by_role("row", name=re.compile("Ada Summarizer"))).to_contain_text("19")
    screenshot("developer-dashboard")
    staff_context.close()
