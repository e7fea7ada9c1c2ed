"""A newcomer signs up, confirms the address from the mail, reviews a model; another user finds it helpful."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, DeveloperFactory, UserFactory
from catalog.models import AIModel
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.browser
NEWCOMER_PASSWORD = "Velvet-otter-climbs-42"


@pytest.fixture
def scene(transactional_db):
    dana = DeveloperFactory(username="dana")
    model = AIModelFactory(developer=dana, api_name="dana-summarizer", display_name="Dana Summarizer")
    bob = UserFactory(username="bob", email="bob@example.com")
    ModelReviewFactory(model=model, user=bob, rating=2, review_title="Too slow for me")
    return model


def verification_path() -> str:
    for message in reversed(mail.outbox):
        found = re.search(r"https?://[^\s/]+(/accounts/verify/[^\s]+/)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"No verification link in {len(mail.outbox)} sent mail(s).")


def test_a_newcomer_reviews_a_model_and_another_user_finds_it_helpful(page, scene, screenshot):
    model = scene
    page.goto("/models/dana-summarizer/reviews/")
    expect(page.locator(".rating-big")).to_have_text("2.0")
    page.get_by_role("link", name="create an account").click()

    page.locator("#id_username").fill("newcomer")
    page.locator("#id_email").fill("newcomer@example.com")
    page.locator("#id_password1").fill(NEWCOMER_PASSWORD)
    page.locator("#id_password2").fill(NEWCOMER_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("We sent a link to newcomer@example.com")).to_be_visible()

    page.goto("/models/dana-summarizer/reviews/")
    expect(page.get_by_text("Verify your email address to write reviews")).to_be_visible()
    expect(page.get_by_role("button", name="Publish review")).to_have_count(0)

    page.goto(verification_path())
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("is confirmed")).to_be_visible()

    page.goto("/models/dana-summarizer/reviews/")
    page.get_by_label("5 stars: excellent").check()
    page.locator(".review-form").get_by_label("Title").fill("Crisp and accurate")
    page.get_by_label("Your review").fill("Summarized a 40-page report.\n<b>Numbers</b> were right.")
    page.get_by_role("button", name="Publish review").click()

    expect(page.get_by_text("Thank you: your review is published.")).to_be_visible()
    expect(page.locator(".rating-big")).to_have_text("3.5")
    expect(page.locator(".model-facts")).to_contain_text("3.5 (2)")
    review_box = page.locator(".review", has_text="Crisp and accurate")
    expect(review_box.locator(".review-text")).to_contain_text("<b>Numbers</b> were right.")
    assert AIModel.objects.get(pk=model.pk).rating_count == 2

    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/?next=/models/dana-summarizer/reviews/")
    page.locator("#id_username").fill("bob@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/models/dana-summarizer/reviews/")

    review_box = page.locator(".review", has_text="Crisp and accurate")
    helpful = review_box.get_by_role("button", name=re.compile("Helpful"))
    expect(helpful).to_have_attribute("aria-pressed", "false")
    helpful.click()
    expect(review_box.get_by_role("button", name=re.compile("Helpful"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(review_box.locator(".vote-count")).to_have_text("1")
    assert ModelReview.objects.get(review_title="Crisp and accurate").helpful_votes == 1
    expect(page.locator(".review", has_text="Too slow for me").get_by_role("button")).to_have_count(0)

    page.reload()
    expect(page.locator(".review", has_text="Crisp and accurate").locator(".vote-count")).to_have_text("1")
    screenshot("review_newcomer_review_marked_helpful")
