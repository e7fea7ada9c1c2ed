"""A user likes a model and sees the count on its card; gathers models in a collection, orders it, makes it
public and another user reads it; a visitor compares three models picked from the catalog."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, DeveloperFactory, UserFactory
from catalog.tests.factories import AIModelFactory
from favourites.models import Collection

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def scene(transactional_db):
    dana = DeveloperFactory(username="dana")
    eve = DeveloperFactory(username="eve")
    AIModelFactory(
        developer=dana, api_name="dana-summarizer", display_name="Dana Summarizer", tags=["summaries", "nlp"]
    )
    AIModelFactory(developer=eve, api_name="eve-writer", display_name="Eve Writer", price_per_request="0")
    AIModelFactory(
        developer=eve,
        api_name="eve-listener",
        display_name="Eve Listener",
        category="speech_to_text",
        tags=["asr"],
    )
    UserFactory(username="alice", email="alice@example.com")
    UserFactory(username="bob", email="bob@example.com")


def sign_in(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth + 1")


def test_a_user_likes_a_model_and_the_catalog_card_shows_it(page, scene, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto("/models/dana-summarizer/")
    expect(page.get_by_role("link", name="Sign in to like")).to_be_visible()

    sign_in(page, "alice", "/models/dana-summarizer/")
    like = page.get_by_role("button", name=re.compile("Like"))
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()  # htmx swaps the button and its count
    liked = page.get_by_role("button", name=re.compile("Liked"))
    expect(liked).to_have_attribute("aria-pressed", "true")
    expect(liked.locator(".like-count")).to_contain_text("1")
    screenshot("favourites-model-liked-1366")

    page.goto("/models/?sort=likes")
    first = page.locator(".model-card").first
    expect(first).to_contain_text("Dana Summarizer")
    expect(first.locator(".meta-likes")).to_contain_text("1")
    screenshot("favourites-catalog-most-liked-1366")

    page.goto("/me/likes/")
    expect(page.locator(".model-card")).to_have_count(1)

    # Taken back from the model page: the card follows at once.
    page.goto("/models/dana-summarizer/")
    page.get_by_role("button", name=re.compile("Liked")).click()
    expect(page.get_by_role("button", name=re.compile("Like"))).to_have_attribute("aria-pressed", "false")
    page.goto("/models/")
    card = page.locator(".model-card", has_text="Dana Summarizer")
    expect(card.locator(".meta-likes")).to_contain_text("0")

    page.set_viewport_size(PHONE)
    page.goto("/models/dana-summarizer/")
    no_sideways_scroll(page)
    screenshot("favourites-model-page-390")


def test_a_user_gathers_a_collection_and_another_user_reads_it(page, scene, screenshot):
    page.set_viewport_size(DESKTOP)
    sign_in(page, "alice", "/models/dana-summarizer/")

    page.locator(".collect-box summary").click()
    page.get_by_label("New collection's title").fill("Writing helpers")
    page.locator(".collect-form").get_by_role("button", name="Add").click()
    expect(page.get_by_text("Dana Summarizer is added to “Writing helpers”.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Writing helpers")
    expect(page.locator(".badge", has_text="Private")).to_be_visible()

    page.goto("/models/eve-writer/")
    page.locator(".collect-box summary").click()
    page.get_by_label("Collection", exact=True).select_option(label="Writing helpers")
    page.locator(".collect-form").get_by_role("button", name="Add").click()
    expect(page.get_by_text("Eve Writer is added to “Writing helpers”.")).to_be_visible()

    items = page.locator(".collection-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Dana Summarizer")
    page.get_by_role("button", name="Move Eve Writer up").click()
    expect(items.nth(0)).to_contain_text("Eve Writer")

    items.nth(0).get_by_role("link", name="Add note").click()
    page.get_by_label("Note").fill("Fast first drafts.")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".collection-item-note")).to_contain_text("Fast first drafts.")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Title").fill("")
    page.get_by_label("Note").fill("Models for writing, best first.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Give the collection a title.")).to_be_visible()
    expect(page.get_by_label("Note")).to_have_value("Models for writing, best first.")
    page.get_by_label("Title").fill("Writing helpers")
    page.get_by_label(re.compile("^Public")).check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your collection is saved.")).to_be_visible()
    screenshot("favourites-collection-owner-1366")
    collection = Collection.objects.get(title="Writing helpers")
    assert collection.is_public

    sign_out(page)
    sign_in(page, "bob", "/collections/")
    row = page.locator(".collection-row", has_text="Writing helpers")
    expect(row).to_contain_text("by alice")
    expect(row).to_contain_text("2 models")
    screenshot("favourites-collections-1366")
    row.get_by_role("link", name="Writing helpers").click()
    items = page.locator(".collection-item")
    expect(items.nth(0)).to_contain_text("Eve Writer")
    expect(items.nth(0)).to_contain_text("Fast first drafts.")
    expect(page.get_by_role("button", name=re.compile("Move"))).to_have_count(0)

    page.set_viewport_size(PHONE)
    page.reload()
    no_sideways_scroll(page)
    screenshot("favourites-collection-390")


def test_a_visitor_compares_three_models_from_the_catalog(page, scene, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto("/models/")
    page.locator(".model-card", has_text="Dana Summarizer").get_by_role(
        "link", name=re.compile("^Compare")
    ).click()
    expect(page.get_by_text("Add at least one more model")).to_be_visible()

    page.get_by_label("Add a model").fill("Eve Writer")
    page.get_by_role("button", name="Add").click()
    page.get_by_label("Add a model").fill("listen")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("No model in the catalog is named “listen”.")).to_be_visible()
    page.get_by_role("link", name="Eve Listener").click()

    expect(page).to_have_url(re.compile(r"models=dana-summarizer,eve-writer,eve-listener"))
    headers = page.locator(".compare-table thead th")
    expect(headers).to_have_count(3)
    expect(page.locator(".compare-table")).to_contain_text("Speech to text")
    expect(page.locator(".compare-table")).to_contain_text("Free")
    screenshot("favourites-compare-1366")

    page.set_viewport_size(PHONE)
    page.reload()
    no_sideways_scroll(page)
    screenshot("favourites-compare-390")

    page.get_by_role("link", name="Remove Eve Writer").click()
    expect(headers).to_have_count(2)
