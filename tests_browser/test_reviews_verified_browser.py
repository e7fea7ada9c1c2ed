"""A user who called a model reviews it and gets the "Verified caller" badge; another user narrows the
reviews to verified callers and reports that review to the moderators. Screenshots at 1366 and 390 px."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, DeveloperFactory, UserFactory
from activity.models import HistoryStatus
from activity.tests.factories import UserHistoryFactory
from catalog.tests.factories import AIModelFactory
from reviews.models import ReviewReport
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
MODEL_PAGE = "/models/dana-summarizer/reviews/"


@pytest.fixture
def scene(transactional_db):
    dana = DeveloperFactory(username="dana", user__username="dana-login")
    model = AIModelFactory(developer=dana, api_name="dana-summarizer", display_name="Dana Summarizer")
    caller = UserFactory(username="carla", email="carla@example.com")
    for index in range(3):
        UserHistoryFactory(user=caller, model=model, status=HistoryStatus.COMPLETED, session_id=f"s{index}")
    UserHistoryFactory(user=caller, model=model, status=HistoryStatus.FAILED, session_id="failed")
    UserFactory(username="ruth", email="ruth@example.com")
    ModelReviewFactory(
        model=model, user=UserFactory(username="browser"), rating=1, review_title="Never tried it, sounds bad"
    )
    return model


def sign_in(page, email: str) -> None:
    page.goto(f"/accounts/login/?next={MODEL_PAGE}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(MODEL_PAGE)


def fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def test_a_caller_earns_the_verified_badge_and_another_user_reports_the_review(page, scene, screenshot):
    page.set_viewport_size(DESKTOP)
    sign_in(page, "carla@example.com")
    page.get_by_label("4 stars: good").check()
    page.locator(".review-form").get_by_label("Title").fill("Fast, faithful summaries")
    page.get_by_label("Your review").fill("Three reports summarised, numbers intact.")
    page.get_by_role("button", name="Publish review").click()

    expect(page.get_by_text("Thank you: your review is published.")).to_be_visible()
    review = page.locator(".review", has_text="Fast, faithful summaries")
    expect(review.locator(".review-verified")).to_have_text("Verified caller · 3 calls")
    expect(page.locator(".review", has_text="Never tried it").locator(".review-verified")).to_have_count(0)
    expect(review.get_by_role("link", name=re.compile("^Report"))).to_have_count(0)  # not their own
    screenshot("reviews_verified_badge_desktop")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "ruth@example.com")
    page.get_by_role("navigation", name="Whose reviews").get_by_role("link", name="Verified callers").click()
    expect(page).to_have_url(re.compile(r"\?reviews=verified#reviews$"))
    expect(page.locator(".review")).to_have_count(1)
    expect(page.locator(".histogram-scope")).to_contain_text("Verified callers' reviews only.")
    expect(page.locator(".histogram-count")).to_have_text(["0", "1", "0", "0", "0"])
    screenshot("reviews_verified_filter_desktop")

    page.set_viewport_size(PHONE)
    fits_the_screen(page)
    screenshot("reviews_verified_filter_phone")

    review = page.locator(".review", has_text="Fast, faithful summaries")
    review.get_by_role("link", name=re.compile("^Report")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a review of Dana Summarizer")
    page.get_by_label("Details (optional)").fill("It reads like an advert.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Choose why you are reporting this review.")).to_be_visible()
    expect(page.get_by_label("Details (optional)")).to_have_value("It reads like an advert.")
    fits_the_screen(page)
    screenshot("reviews_report_form_error_phone")

    page.get_by_label("Spam or advertising").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you: the moderators will look at your report.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?reviews=verified#review-"))  # back where the report started
    expect(page.locator(".review")).to_have_count(1)
    review = page.locator(".review", has_text="Fast, faithful summaries")
    expect(review.locator(".review-reported")).to_have_text("Reported")
    fits_the_screen(page)
    screenshot("reviews_reported_phone")

    report = ReviewReport.objects.get()
    assert (report.user.username, report.review.user.username, report.reason, report.details) == (
        "ruth",
        "carla",
        "spam",
        "It reads like an advert.",
    )

    page.set_viewport_size(DESKTOP)
    page.goto(f"/models/dana-summarizer/reviews/{report.review_id}/report/")
    expect(page.get_by_text("You have already reported this review")).to_be_visible()
    screenshot("reviews_already_reported_desktop")
