"""The catalog as people use it: filters that apply as they change (and the Apply button without
JavaScript), the phone's drawer with the first model on the first screen, suggestions as you type driven
from the keyboard, and "Did you mean …?" after a typo. Screenshots at 1366 and 390 px wide."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import DeveloperFactory
from activity.tests.factories import ApiUsageLogFactory
from catalog.models import Category
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def catalog(transactional_db):
    dana = DeveloperFactory(username="dana", company_name="Dana Studio")
    eve = DeveloperFactory(username="eve", company_name="Eve Labs")
    summarizer = AIModelFactory(
        developer=dana,
        api_name="dana-summarizer",
        model_name="summarizer",
        display_name="Dana Summarizer",
        category=Category.SUMMARIZATION,
        tags=["nlp", "documents"],
        description="Turns long reports into a few sentences, and keeps the numbers right.",
        price_per_request=Decimal("0.0020"),
    )
    AIModelFactory(
        developer=eve,
        api_name="gpt-turbo",
        model_name="turbo",
        display_name="GPT Turbo",
        category=Category.TEXT_GENERATION,
        tags=["chat"],
        description="A fast general chat model.",
        price_per_request=Decimal("0.0100"),
    )
    AIModelFactory(
        developer=eve,
        api_name="whisper-small",
        display_name="Whisper Small",
        category=Category.SPEECH_TO_TEXT,
        description="Listens to recordings.",
        price_per_request=Decimal("0"),
    )
    AIModelFactory(
        developer=eve,
        api_name="pixel-painter",
        display_name="Pixel Painter",
        category=Category.IMAGE_GENERATION,
        tags=["art", "pixel", "retro", "games"],
        description="Paints pixel art from a sentence. " * 6,
    )
    for index in range(8):
        AIModelFactory(
            developer=dana if index % 2 else eve,
            display_name=f"Helper {index}",
            category=Category.TRANSLATION if index % 3 else Category.CLASSIFICATION,
            description="Other things." if index % 2 else "",
        )
    ModelReviewFactory.create_batch(3, model=summarizer, rating=4)
    ApiUsageLogFactory.create_batch(3, model=summarizer)


def card_titles(page):
    return page.locator(".model-card-title")


def test_filters_apply_as_they_change_and_the_url_stays_clean(page, catalog, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto("/models/")
    expect(card_titles(page)).to_have_count(12)
    screenshot("catalog-ux-grid-1366")

    page.get_by_role("radio", name=re.compile(r"^Summarization")).check()

    expect(card_titles(page)).to_have_count(1)
    expect(card_titles(page)).to_have_text(["Dana Summarizer"])
    expect(page).to_have_url(re.compile(r"/models/\?category=summarization$"))
    expect(page.locator("#filter-count")).to_contain_text("(1)")

    page.get_by_label("Search models").fill("helper")
    page.get_by_role("radio", name=re.compile(r"^All categories")).check()
    expect(card_titles(page)).to_have_count(8)
    expect(page).to_have_url(re.compile(r"/models/\?q=helper$"))

    page.get_by_label("Sort by").select_option("name")
    expect(page).to_have_url(re.compile(r"/models/\?q=helper&sort=name$"))
    expect(card_titles(page).first).to_have_text("Helper 0")

    page.get_by_role("link", name="List view").click()
    expect(page.locator(".model-list tbody tr")).to_have_count(8)
    expect(page).to_have_url(re.compile(r"view=list"))
    screenshot("catalog-ux-list-1366")


def test_without_javascript_the_apply_button_filters_and_the_url_is_clean(browser, live_server, catalog):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto("/models/")
        page.get_by_role("radio", name=re.compile(r"^Speech to text")).check()
        page.get_by_role("button", name="Apply filters").click()

        expect(page).to_have_url(re.compile(r"/models/\?category=speech_to_text$"))
        expect(page.locator(".model-card-title")).to_have_text(["Whisper Small"])
    finally:
        context.close()


def test_on_a_phone_the_filters_fold_into_a_drawer_and_the_first_model_shows(page, catalog, screenshot):
    page.set_viewport_size(PHONE)
    page.goto("/models/")

    first = card_titles(page).first
    expect(first).to_be_visible()
    assert page.locator(".model-card").first.bounding_box()["y"] < PHONE["height"]
    drawer = page.locator("#filters-drawer")
    expect(drawer).not_to_have_attribute("open", "")
    expect(page.get_by_role("radio", name=re.compile(r"^Summarization"))).to_be_hidden()
    screenshot("catalog-ux-grid-390")

    page.get_by_text("Filters", exact=True).click()
    expect(page.get_by_role("radio", name=re.compile(r"^Summarization"))).to_be_visible()
    screenshot("catalog-ux-drawer-390")
    page.get_by_role("radio", name=re.compile(r"^Summarization")).check()
    expect(card_titles(page)).to_have_text(["Dana Summarizer"])
    expect(page.locator("#filter-count")).to_contain_text("(1)")

    page.goto("/models/?view=list")
    expect(page.locator(".model-list tbody tr").first).to_be_visible()
    screenshot("catalog-ux-list-390")


def test_suggestions_as_you_type_work_from_the_keyboard(page, catalog, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    box = page.get_by_role("combobox", name="Search the catalog")
    box.press_sequentially("gpt")

    listbox = page.locator("#site-q-suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option").first).to_contain_text("GPT Turbo")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"site-q-suggestions-"))
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    screenshot("catalog-ux-suggestions-1366")

    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press("ArrowDown")  # opens the list again on its first option
    expect(listbox).to_be_visible()
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/models/gpt-turbo/$"))


def test_suggestions_on_a_phone(page, catalog, screenshot):
    page.set_viewport_size(PHONE)
    page.goto("/models/")
    page.get_by_label("Search models").press_sequentially("summ")
    expect(page.locator("#id_q-suggestions").get_by_role("option").first).to_contain_text("Dana Summarizer")
    screenshot("catalog-ux-suggestions-390")


def test_a_typo_offers_what_was_meant(page, catalog, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto("/models/?q=gpt+tubro")
    expect(page.locator(".empty-title")).to_contain_text("No models match")
    suggestion = page.locator(".did-you-mean a")
    expect(suggestion).to_have_text("GPT Turbo")
    screenshot("catalog-ux-did-you-mean-1366")

    suggestion.click()
    expect(card_titles(page)).to_have_text(["GPT Turbo"])


def test_the_home_page_at_both_sizes(page, catalog, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    expect(page.get_by_role("heading", name="Top rated")).to_be_visible()
    screenshot("catalog-ux-home-1366")
    page.set_viewport_size(PHONE)
    page.goto("/")
    screenshot("catalog-ux-home-390")
