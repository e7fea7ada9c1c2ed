"""Search as people type it (category words, typos, suggestions), clean catalog URLs, the compact list,
the results alone for htmx, and a home page that never shows a model twice."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from activity.tests.factories import ApiUsageLogFactory
from catalog import selectors
from catalog.models import AIModel, Category
from catalog.search import did_you_mean, search_models, word_groups
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db
CATALOG = reverse("catalog:model_list")
SUGGEST = reverse("catalog:model_suggest")
HOME = reverse("catalog:home")


@pytest.fixture
def shelf(dana, eve):
    """Models whose names and descriptions do not say their category."""
    for index, name in enumerate(["Brief", "Gist", "Condenser"]):
        AIModelFactory(
            developer=dana,
            api_name=f"sum-{index}",
            display_name=name,
            description="Short versions of long texts.",
            category=Category.SUMMARIZATION,
        )
    AIModelFactory(
        developer=eve,
        api_name="whisper",
        display_name="Whisper",
        description="Listens.",
        category=Category.SPEECH_TO_TEXT,
    )
    AIModelFactory(
        developer=eve,
        api_name="sayit",
        display_name="SayIt",
        description="Speaks.",
        category=Category.TEXT_TO_SPEECH,
    )
    AIModelFactory(
        developer=eve,
        api_name="painter",
        display_name="Painter",
        description="Art.",
        category=Category.IMAGE_GENERATION,
    )
    AIModelFactory(
        developer=eve,
        api_name="vec",
        display_name="Vec",
        description="Numbers.",
        category=Category.EMBEDDINGS,
    )
    AIModelFactory(
        developer=eve,
        api_name="gpt-turbo",
        display_name="GPT Turbo",
        description="A chat model.",
        category=Category.TEXT_GENERATION,
        price_per_request=Decimal("0.0020"),
    )


def found(text: str) -> set[str]:
    return {model.api_name for model in search_models(AIModel.objects.public(), text)}


# --- Category words -------------------------------------------------------------------------------------
def test_a_category_name_finds_its_models_as_it_is_typed(shelf):
    assert found("summar") == {"sum-0", "sum-1", "sum-2"}
    assert found("summarization") == {"sum-0", "sum-1", "sum-2"}


@pytest.mark.parametrize("text", ["transcribe audio", "speech to text", "asr", "stt", "transcription"])
def test_the_words_for_speech_to_text_find_it(shelf, text):
    assert "whisper" in found(text)
    assert "painter" not in found(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tts", "sayit"),
        ("voice", "sayit"),
        ("image", "painter"),
        ("picture", "painter"),
        ("draw", "painter"),
        ("embedding", "vec"),
        ("vector", "vec"),
        ("chat", "gpt-turbo"),
        ("llm", "gpt-turbo"),
    ],
)
def test_usual_synonyms_find_their_category(shelf, text, expected):
    assert expected in found(text)


def test_a_category_word_and_another_word_must_both_match(shelf):
    assert found("summarize condenser") == {"sum-2"}


def test_phrases_are_grouped_longest_first():
    groups = word_groups(["speech", "to", "text", "fast"])
    assert [group.words for group in groups] == [("speech", "to", "text"), ("fast",)]
    assert groups[0].categories == {Category.SPEECH_TO_TEXT}
    assert groups[1].categories == frozenset()


def test_a_category_match_ranks_above_a_passing_mention(shelf, dana):
    AIModelFactory(developer=dana, api_name="mentions", description="Can also summarize a page.")
    ranked = search_models(AIModel.objects.public(), "summarize").order_by("-rank", "api_name")
    assert ranked[0].category == Category.SUMMARIZATION
    assert "mentions" in {model.api_name for model in ranked}


def test_the_catalog_page_finds_category_names(client, shelf):
    response = client.get(CATALOG, {"q": "summar"})
    assert {model.api_name for model in response.context["models"]} == {"sum-0", "sum-1", "sum-2"}


# --- Typos ----------------------------------------------------------------------------------------------
def test_a_misspelt_category_word_suggests_the_word(shelf):
    assert did_you_mean("summarisaton") == "summarization"


def test_a_misspelt_model_name_suggests_the_name(shelf):
    assert did_you_mean("gpt tubro") == "GPT Turbo"


def test_nothing_close_suggests_nothing(shelf):
    assert did_you_mean("qqqqzzzz") is None
    assert did_you_mean("  %_'\" ") is None


def test_the_catalog_says_did_you_mean_with_a_link_when_nothing_matches(client, shelf):
    response = client.get(CATALOG, {"q": "gpt tubro"})
    body = response.content.decode()
    assert response.context["did_you_mean"] == "GPT Turbo"
    assert 'Did you mean <a href="?q=GPT%20Turbo">GPT Turbo</a>?' in body


def test_no_suggestion_is_looked_for_when_the_search_finds_models(client, shelf, django_assert_num_queries):
    response = client.get(CATALOG, {"q": "gpt turbo"})
    assert response.context["did_you_mean"] is None


# --- Suggestions as you type ----------------------------------------------------------------------------
def test_suggest_answers_models_developers_and_categories_as_a_fragment(client, shelf):
    body = client.get(SUGGEST, {"q": "gpt"}).content.decode()
    assert 'role="option"' in body
    assert 'data-href="/models/gpt-turbo/"' in body
    assert "Text generation" in body  # the category that "gpt" names


def test_suggest_matches_the_start_of_a_developer_name(client, shelf):
    body = client.get(SUGGEST, {"q": "da"}).content.decode()
    assert 'data-href="/developers/dana/"' in body


def test_suggest_answers_json_too(client, shelf):
    data = json.loads(client.get(SUGGEST, {"q": "turb", "format": "json"}).content)
    assert [model["api_name"] for model in data["models"]] == ["gpt-turbo"]
    assert data["models"][0]["url"] == "/models/gpt-turbo/"


def test_suggest_puts_names_that_start_with_the_text_first(client, dana):
    AIModelFactory(developer=dana, api_name="a-pro", display_name="Super Pro", total_requests=100)
    AIModelFactory(developer=dana, api_name="b-pro", display_name="Profiler")
    data = json.loads(client.get(SUGGEST, {"q": "pro", "format": "json"}).content)
    assert [model["api_name"] for model in data["models"]] == ["b-pro", "a-pro"]


def test_suggest_leaves_out_models_outside_the_catalog(client, dana):
    AIModelFactory(developer=dana, api_name="hidden-one", display_name="Hidden One", is_public=False)
    data = json.loads(client.get(SUGGEST, {"q": "hidden", "format": "json"}).content)
    assert data["models"] == []


def test_suggest_runs_two_queries_at_most(client, shelf, django_assert_max_num_queries):
    for index in range(20):
        AIModelFactory(developer=shelf_developer(), api_name=f"gpt-{index}", display_name=f"GPT {index}")
    with django_assert_max_num_queries(2):
        response = client.get(SUGGEST, {"q": "gpt"})
    assert response.content.decode().count('role="option"') <= 8 + 3 + 2


def shelf_developer():
    from accounts.models import Developer

    return Developer.objects.get(username="eve")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "%", "_", "%%__", "'", '"', "' OR 1=1 --", "\x00", "a\x00b", "x" * 5000, "\\", ":*&|!"],
)
def test_suggest_answers_odd_text_with_nothing_rather_than_an_error(client, shelf, text):
    response = client.get(SUGGEST, {"q": text})
    assert response.status_code == 200
    assert 'role="option"' not in response.content.decode()
    assert client.get(SUGGEST, {"q": text, "format": "json"}).status_code == 200


def test_suggest_escapes_like_wildcards(client, dana):
    AIModelFactory(developer=dana, api_name="plain", display_name="Plain")
    data = json.loads(client.get(SUGGEST, {"q": "%la", "format": "json"}).content)
    assert data["models"] == []


def explain(queryset, *, bitmap_only: bool = False) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would be read whole anyway
        if bitmap_only:
            # A GIN index is read by bitmap scans only; on a few rows the planner may otherwise walk a whole
            # btree index and filter, which it would never choose on a real table.
            cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_suggestions_and_typo_lookups_are_answered_from_the_trigram_indexes(shelf, needs_pg_trgm):
    from django.db.models import Q

    from catalog.search import upper_text

    models = AIModel.objects.alias(name_upper=upper_text("display_name")).filter(
        Q(name_upper__contains="TURB")
    )
    assert "models_display_name_trgm_idx" in explain(models, bitmap_only=True)
    from accounts.models import Developer

    developers = Developer.objects.alias(u=upper_text("username")).filter(u__contains="DAN")
    assert "developers_username_trgm_idx" in explain(developers, bitmap_only=True)


def test_short_suggestions_use_the_name_prefix_index(shelf):
    from catalog.search import upper_text

    models = AIModel.objects.alias(name_upper=upper_text("display_name")).filter(name_upper__startswith="G")
    assert "models_display_name_prefix_idx" in explain(models)


def test_suggest_selectors_cap_their_rows(shelf):
    assert len(selectors.suggest_models("e", limit=2)) <= 2


# --- Clean URLs, the list view, htmx --------------------------------------------------------------------
def test_empty_parameters_are_redirected_to_the_clean_url(client, shelf):
    response = client.get(CATALOG + "?q=&tag=&developer=&min_rating=&category=summarization&sort=")
    assert response.status_code == 302
    assert response["Location"] == CATALOG + "?category=summarization"


def test_a_url_of_only_empty_parameters_goes_to_the_plain_catalog(client, shelf):
    response = client.get(CATALOG + "?q=+&tag=")
    assert response.status_code == 302
    assert response["Location"] == CATALOG


def test_links_of_the_page_carry_no_empty_parameters(client, shelf):
    body = client.get(CATALOG, {"q": "summar", "sort": "name"}).content.decode()
    assert "=&amp;" not in body and '=&"' not in body
    assert 'href="?q=summar&amp;sort=name&amp;view=list"' in body


def test_the_default_order_has_the_empty_value_so_it_stays_out_of_urls(client, shelf):
    body = client.get(CATALOG).content.decode()
    assert '<option value="" selected>Most used</option>' in body
    body = client.get(CATALOG, {"q": "gpt"}).content.decode()
    assert '<option value="" selected>Best match</option>' in body
    assert '<option value="popular">Most used</option>' in body


def test_the_list_view_draws_a_row_per_model(client, shelf):
    response = client.get(CATALOG, {"view": "list"})
    body = response.content.decode()
    assert response.context["layout"] == "list"
    assert body.count('<tr class="model-row">') == 8
    assert 'class="model-card"' not in body
    assert "$0.002 / call" in body


def test_an_unknown_view_is_the_grid(client, shelf):
    assert client.get(CATALOG, {"view": "tiles"}).context["layout"] == "grid"


def test_htmx_gets_the_results_alone_with_the_counts_out_of_band(client, shelf):
    response = client.get(CATALOG, {"category": "summarization"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert body.startswith('<div id="catalog-results"')
    assert 'id="facet-count-summarization" data-count="3" hx-swap-oob="true"' in body
    assert 'id="filter-count" class="filter-count" hx-swap-oob="true"> (1)' in body
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, shelf):
    response = client.get(CATALOG, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_the_catalog_keeps_its_query_budget(client, shelf, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(CATALOG, {"view": "list"})
    with django_assert_max_num_queries(6):
        client.get(CATALOG, {"q": "summar"})


# --- One format on cards --------------------------------------------------------------------------------
def test_cards_label_every_figure(client, shelf, bob):
    model = AIModel.objects.get(api_name="gpt-turbo")
    ModelReviewFactory(model=model, user=bob, rating=4)
    AIModel.objects.filter(pk=model.pk).update(total_requests=1234)
    body = client.get(CATALOG, {"q": "gpt turbo"}).content.decode()
    assert '<span class="meta-figure">4.0</span> <span class="muted">(1)</span>' in body
    assert "Rated 4.0 out of 5 from 1 rating" in body
    assert "1.2k calls" in body
    assert "$0.002 / call" in body
    assert "⚡" not in body


# --- Home -----------------------------------------------------------------------------------------------
def test_the_home_page_never_shows_a_model_twice(client, dana, eve):
    models = [AIModelFactory(developer=dana if i % 2 else eve, api_name=f"m-{i}") for i in range(30)]
    for model in models[:10]:
        ModelReviewFactory.create_batch(3, model=model, rating=5)
    for model in models[:20]:
        ApiUsageLogFactory(model=model)

    response = client.get(HOME)

    sections = [response.context[name] for name in ("top_rated", "trending", "newest")]
    shown = [model.pk for section in sections for model in section]
    assert all(len(section) == 8 for section in sections)
    assert len(shown) == len(set(shown))


def test_the_home_page_runs_a_fixed_number_of_queries(client, dana, django_assert_max_num_queries):
    for index in range(30):
        model = AIModelFactory(developer=dana, api_name=f"n-{index}")
        ApiUsageLogFactory(model=model)
    with django_assert_max_num_queries(8):
        client.get(HOME)


def test_without_pg_trgm_did_you_mean_compares_letters(shelf, monkeypatch):
    """The embedded PostgreSQL of `make run` has no pg_trgm: "Did you mean" still answers, by difflib."""
    from catalog import search

    monkeypatch.setattr(search, "has_extension", lambda name, using="default": False)
    assert search.did_you_mean("summarisaton") == "summarization"
    assert search.did_you_mean("gpt tubro") == "GPT Turbo"
    assert search.did_you_mean("zzzzqqq") is None
