"""A visitor searches and filters the catalog, then opens a model."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import DeveloperFactory
from catalog.models import Category
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(transactional_db):
    dana = DeveloperFactory(username="dana", company_name="Dana Studio")
    eve = DeveloperFactory(username="eve", company_name="Eve Labs")
    AIModelFactory(
        developer=dana,
        api_name="dana-summarizer",
        model_name="summarizer",
        display_name="Dana Summarizer",
        category=Category.SUMMARIZATION,
        tags=["nlp", "documents"],
        description="Summarizes long reports into a few sentences.\nKeeps the numbers right.",
    )
    AIModelFactory(
        developer=eve,
        api_name="summit-chat",
        model_name="summit",
        display_name="Summit Chat",
        category=Category.TEXT_GENERATION,
        tags=["nlp", "chat"],
        description="A friendly chat model.",
    )
    AIModelFactory(
        developer=eve,
        api_name="pixel-painter",
        display_name="Pixel Painter",
        category=Category.IMAGE_GENERATION,
        tags=["vision"],
        description="Paints pixel art.",
    )
    for index in range(4):
        AIModelFactory(developer=eve, display_name=f"Filler {index}", description="Other things.")


def test_a_visitor_searches_filters_and_opens_a_model(page, catalog, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Discover, try and call AI models")

    page.get_by_label("Search models").fill("summ")
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url("/models/?q=summ")
    results = page.locator(".model-card-title")
    expect(results).to_have_count(2)
    expect(page.locator("#result-count")).to_contain_text("2 models for “summ”")

    page.get_by_role("radio", name="Summarization 1").check()  # applied at once (htmx)
    expect(results).to_have_count(1)
    expect(results).to_have_text(["Dana Summarizer"])
    expect(page.get_by_role("link", name="Summarization (remove this filter)")).to_be_visible()

    page.get_by_label("Tags").fill("documents")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".active-filters")).to_contain_text("#documents")
    expect(results).to_have_text(["Dana Summarizer"])

    page.get_by_label("Tags").fill("vision")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No models match “summ”.")).to_be_visible()
    page.get_by_role("link", name="#vision (remove this filter)").click()
    expect(results).to_have_text(["Dana Summarizer"])

    results.get_by_role("link", name="Dana Summarizer").click()

    expect(page).to_have_url("/models/dana-summarizer/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dana Summarizer")
    expect(page.get_by_role("link", name="dana", exact=True)).to_have_attribute("href", "/developers/dana/")
    expect(page.locator(".model-readme")).to_contain_text("Keeps the numbers right.")
    screenshot("catalog_visitor_opens_model")
    page.get_by_role("navigation", name="Model page sections").get_by_role("link", name="API").click()
    expect(page.locator("#snippet-curl")).to_contain_text('"model": "dana-summarizer"')


def test_the_catalog_fits_a_phone_screen(page, catalog, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/models/?q=summ")
    expect(page.locator(".model-card-title")).to_have_count(2)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    screenshot("catalog_on_a_phone")
