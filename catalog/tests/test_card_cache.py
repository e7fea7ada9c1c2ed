"""Model cards kept rendered under a key of what changes them, and the catalog's cheaper template helpers.

The cache may only ever make a page faster: every test here compares against what the plain include of
includes/model_card.html (or Django's own QueryDict and Select) gives.
"""

import os
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.http import QueryDict
from django.template import Context, Template
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory

from activity.tests.factories import ApiUsageLogFactory
from catalog import cards
from catalog.models import AIModel
from catalog.templatetags.catalog_extras import query_with
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db


def include(models) -> str:
    return "".join(render_to_string(cards.CARD_TEMPLATE, {"model": model}) for model in models)


def loaded(*models) -> list[AIModel]:
    """The models as the catalog loads them: only the card's fields, the developer alongside."""
    by_id = (
        AIModel.objects.only(*cards.CARD_FIELDS).select_related("developer").in_bulk([m.pk for m in models])
    )
    return [by_id[m.pk] for m in models]


def card_keys() -> list[str]:
    return [key for key in caches["cards"]._cache if cards.KEY_PREFIX in key]  # LocMemCache in tests


@pytest.fixture
def three(dana):
    return [
        AIModelFactory(developer=dana, display_name="Légal <Eagle>", tags=["law", "a&b", "x", "fourth"]),
        AIModelFactory(developer=dana, description="", price_per_request=Decimal("0")),
        AIModelFactory(developer=dana, description="word " * 80, total_requests=1_234_567),
    ]


def test_cards_are_the_include_output_from_the_first_page_on_and_from_the_cache(three):
    models = loaded(*three)
    expected = include(models)

    assert cards.model_cards(models) == expected
    assert len(card_keys()) == 3
    # Served from the cache: the same markup, no new entries.
    assert cards.model_cards(loaded(*three)) == expected
    assert len(card_keys()) == 3


def test_a_card_changes_as_soon_as_anything_it_shows_changes(three, bob):
    first = three[0]
    before = cards.model_cards(loaded(first))

    ModelReviewFactory(model=first, user=bob, rating=2)  # the triggers move average_rating and rating_count
    after = cards.model_cards(loaded(first))

    assert after != before
    assert after == include(loaded(first))
    assert "from 1 rating<" in after


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", "Renamed"),
        ("description", "A new description."),
        ("category", "translation"),
        ("tags", ["fresh"]),
        ("total_requests", 99),
        ("price_per_request", Decimal("0.5000")),
    ],
)
def test_a_saved_change_to_any_shown_field_gives_a_new_card(three, field, value):
    # Each write commits on its own, as a page's or the gateway's does: the trigger moves updated_at.
    model = loaded(three[1])[0]
    key = cards.card_key(model)
    cards.model_cards([model])

    AIModel.objects.filter(pk=model.pk).update(**{field: value})
    model = loaded(model)[0]

    assert cards.card_key(model) != key
    assert cards.model_cards([model]) == include([model])


@pytest.mark.django_db(transaction=True)
def test_the_counter_triggers_move_updated_at(three, bob):
    model = three[0]
    before = loaded(model)[0].updated_at

    ApiUsageLogFactory(model=model, response_code=200)  # total_requests, by trigger
    after_call = loaded(model)[0]
    ModelReviewFactory(model=model, user=bob, rating=4)  # average_rating and rating_count, by trigger
    after_review = loaded(model)[0]

    assert (after_call.total_requests, after_review.rating_count) == (model.total_requests + 1, 1)
    assert before < after_call.updated_at < after_review.updated_at


def test_cards_read_nothing_beyond_the_card_fields(three, django_assert_num_queries):
    models = loaded(*three)

    with django_assert_num_queries(0):
        html = cards.model_cards(models, heading_level=2)

    assert html == "".join(
        render_to_string(cards.CARD_TEMPLATE, {"model": model, "heading_level": 2}) for model in models
    )


def test_the_heading_level_and_the_cache_version_are_part_of_the_key(three, settings):
    model = loaded(three[0])[0]
    key = cards.card_key(model)

    assert cards.card_key(model, heading_level=2) != key
    settings.CARD_CACHE_VERSION = "next-deploy"
    assert cards.card_key(model) != key


def test_with_debug_on_an_edited_card_template_gives_new_cards(three, settings):
    model = loaded(three[0])[0]
    settings.DEBUG = True
    edited = os.stat(get_template(cards.CARD_TEMPLATE).origin.name).st_mtime_ns

    assert f"{settings.CARD_CACHE_VERSION}-{edited}:" in cards.card_key(model)


def test_the_developer_name_is_part_of_the_key(three):
    model = loaded(three[0])[0]
    key = cards.card_key(model)

    model.developer.username = "someone-else"

    assert cards.card_key(model) != key


def test_a_repeated_model_is_rendered_once_and_shown_twice(three):
    model = loaded(three[0])[0]

    assert cards.model_cards([model, model]) == include([model, model])


def test_the_catalog_home_and_profile_show_the_cards(client, three, dana):
    expected = [include([model]).strip() for model in loaded(*three)]
    for path in ("/", "/models/?sort=name", f"/developers/{dana.username}/"):
        body = client.get(path).content.decode()
        for card in expected:
            assert card in body


def test_the_home_pages_trending_cards_are_the_same_cards_with_their_calls(client, three):
    ApiUsageLogFactory.create_batch(3, model=three[0], response_code=200)
    ApiUsageLogFactory(model=three[2], response_code=200)
    (first,) = loaded(three[0])
    first.recent_successes = 3

    body = client.get("/").content.decode()

    card = include([first]).strip()
    assert card in body
    assert '<p class="model-card-extra">3 successful calls this week</p>' in card
    assert body.count('class="model-card-extra"') == 2


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=summ",
        "q=caf%C3%A9+bar&tag=a&tag=b&page=3",
        "sort=name&category=translation",
        "q=a%26b%3Dc&tag=%E2%98%85&tag=&developer=x+y",
    ],
)
@pytest.mark.parametrize(
    "changes",
    [{"page": None}, {"sort": "rating", "page": None}, {"category": "embeddings"}, {"tag": "new"}, {"q": ""}],
)
def test_query_with_gives_what_querydict_gives(query, changes):
    request = RequestFactory().get("/models/?" + query)
    expected = request.GET.copy()
    for name, value in changes.items():
        if value in (None, ""):
            expected.pop(name, None)
        else:
            expected[name] = str(value)
    # Empty values are never kept (no "?q=&tag=").
    encoded = urlencode([(name, v) for name, values in expected.lists() for v in values if v.strip()])

    assert query_with({"request": request}, **changes) == (f"?{encoded}" if encoded else "?")
    assert list(request.GET.lists()) == list(QueryDict(query).lists())  # the request is left as it was


def test_query_with_takes_names_as_variables():
    request = RequestFactory().get("/models/?page=2&q=x")
    html = Template("{% load catalog_extras %}{% query_with name 5 %}").render(
        Context({"request": request, "name": "page"})
    )
    assert html == "?page=5&amp;q=x"


def test_the_filter_selects_keep_django_markup(client, three):
    body = client.get("/models/?category=translation&min_rating=3").content.decode()

    assert '<input type="radio" name="category" value="translation" checked>' in body
    assert '<select name="min_rating" id="id_min_rating">' in body
    assert '<option value="3" selected>3 ★ &amp; up</option>' in body
    assert 'class="errorlist"' not in body
