from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeveloperStatus, UserStatus
from accounts.tests.factories import DeveloperFactory
from catalog.models import AIModel, Category, ModelStatus
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db
CATALOG = reverse("catalog:model_list")


def listed(response) -> list[str]:
    return [model.api_name for model in response.context["models"]]


def set_counters(model, **values):
    # Counters belong to the database triggers; tests place them directly to arrange a scene.
    AIModel.objects.filter(pk=model.pk).update(**values)


def test_it_renders_one_h1(client, model):
    response = client.get(CATALOG)
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


def test_it_lists_only_public_active_models_of_active_developers(client, dana, eve):
    AIModelFactory(developer=dana, api_name="listed")
    AIModelFactory(developer=dana, api_name="private-one", is_public=False)
    AIModelFactory(developer=dana, api_name="retired", status=ModelStatus.DEPRECATED)
    AIModelFactory(developer=dana, api_name="waiting", status=ModelStatus.UNDER_REVIEW)
    AIModelFactory(developer=dana, api_name="switched-off", status=ModelStatus.INACTIVE)
    AIModelFactory(developer=eve, api_name="of-suspended-developer")
    eve.status = DeveloperStatus.SUSPENDED
    eve.save()
    pending = DeveloperFactory(status=DeveloperStatus.PENDING_APPROVAL)
    AIModelFactory(developer=pending, api_name="of-pending-developer")
    locked = DeveloperFactory()
    AIModelFactory(developer=locked, api_name="of-suspended-account")
    locked.user.status = UserStatus.SUSPENDED
    locked.user.save()

    assert listed(client.get(CATALOG)) == ["listed"]


def test_it_finds_models_by_stemmed_words_of_their_description(client, dana):
    AIModelFactory(
        developer=dana, api_name="lexi", description="Translates legal contracts between languages."
    )
    AIModelFactory(developer=dana, api_name="other", description="Draws pictures of cats.")

    assert listed(client.get(CATALOG, {"q": "translating contract"})) == ["lexi"]


def test_it_finds_a_model_by_a_prefix_of_its_name(client, dana):
    AIModelFactory(developer=dana, api_name="summarizer", model_name="summarizer", display_name="Summarizer")
    AIModelFactory(developer=dana, api_name="painter", display_name="Painter", description="Pictures.")

    assert listed(client.get(CATALOG, {"q": "summ"})) == ["summarizer"]
    assert listed(client.get(CATALOG, {"q": "Summari"})) == ["summarizer"]


def test_it_finds_models_by_tag_words(client, dana):
    AIModelFactory(developer=dana, api_name="eyes", tags=["vision", "ocr"], description="Reads text.")
    AIModelFactory(developer=dana, api_name="ears", tags=["audio"], description="Hears.")

    assert listed(client.get(CATALOG, {"q": "vision"})) == ["eyes"]


def test_it_ranks_a_name_match_above_a_description_match(client, dana):
    AIModelFactory(
        developer=dana,
        api_name="mentions-it",
        display_name="Helper",
        model_name="helper",
        description="Good at translation of menus.",
    )
    AIModelFactory(
        developer=dana,
        api_name="named-for-it",
        display_name="Translation Pro",
        model_name="translation-pro",
        description="Works well.",
    )

    response = client.get(CATALOG, {"q": "translation"})

    assert listed(response) == ["named-for-it", "mentions-it"]
    assert response.context["sort"] == "relevance"


@pytest.mark.parametrize(
    "query",
    ["a & | ! :* ( )", "'\\:*", "<script>alert(1)</script>", "-", '"unterminated', "x" * 500, "ünïcödé:*"],
)
def test_it_never_breaks_on_odd_search_text(client, model, query):
    response = client.get(CATALOG, {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_it_filters_by_category(client, dana):
    AIModelFactory(developer=dana, api_name="speaks", category=Category.TEXT_TO_SPEECH)
    AIModelFactory(developer=dana, api_name="writes", category=Category.TEXT_GENERATION)

    assert listed(client.get(CATALOG, {"category": "text_to_speech"})) == ["speaks"]


def test_it_keeps_models_carrying_every_chosen_tag(client, dana):
    AIModelFactory(developer=dana, api_name="both", tags=["nlp", "legal"])
    AIModelFactory(developer=dana, api_name="one", tags=["nlp"])
    AIModelFactory(developer=dana, api_name="other", tags=["legal", "vision"])

    response = client.get(CATALOG + "?tag=nlp&tag=Legal&tag=", follow=True)

    assert response.redirect_chain == [(CATALOG + "?tag=nlp&tag=Legal", 302)]
    assert listed(response) == ["both"]
    assert response.context["filter"].active_tags == ["nlp", "legal"]


def test_it_filters_by_developer_username(client, dana, eve):
    AIModelFactory(developer=dana, api_name="from-dana")
    AIModelFactory(developer=eve, api_name="from-eve")

    assert listed(client.get(CATALOG, {"developer": "EVE"})) == ["from-eve"]


def test_it_filters_by_minimum_rating(client, dana):
    good = AIModelFactory(developer=dana, api_name="good")
    poor = AIModelFactory(developer=dana, api_name="poor")
    set_counters(good, average_rating=Decimal("4.50"), rating_count=2)
    set_counters(poor, average_rating=Decimal("2.00"), rating_count=2)

    assert listed(client.get(CATALOG, {"min_rating": "4"})) == ["good"]


def test_it_filters_by_price_range(client, dana):
    AIModelFactory(developer=dana, api_name="free", price_per_request=Decimal("0"))
    AIModelFactory(developer=dana, api_name="cheap", price_per_request=Decimal("0.0020"))
    AIModelFactory(developer=dana, api_name="dear", price_per_request=Decimal("0.5000"))

    assert listed(client.get(CATALOG, {"min_price": "0.001", "max_price": "0.01"})) == ["cheap"]
    assert listed(client.get(CATALOG, {"max_price": "0", "sort": "name"})) == ["free"]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("popular", ["b", "c", "a"]),
        ("rating", ["c", "a", "b"]),
        ("newest", ["c", "b", "a"]),
        ("name", ["a", "b", "c"]),
        ("price", ["b", "a", "c"]),
    ],
)
def test_it_sorts_by_the_chosen_order(client, dana, sort, expected):
    now = timezone.now()
    figures = {
        "a": dict(
            total_requests=10, average_rating=Decimal("4.00"), price_per_request=Decimal("0.02"), days=3
        ),
        "b": dict(
            total_requests=99, average_rating=Decimal("3.00"), price_per_request=Decimal("0.01"), days=2
        ),
        "c": dict(
            total_requests=50, average_rating=Decimal("5.00"), price_per_request=Decimal("0.03"), days=1
        ),
    }
    for name, values in figures.items():
        model = AIModelFactory(developer=dana, api_name=name, display_name=name.upper())
        days = values.pop("days")
        set_counters(model, created_at=now - timedelta(days=days), rating_count=1, **values)

    assert listed(client.get(CATALOG, {"sort": sort})) == expected


def test_it_sorts_by_popularity_when_nothing_is_searched(client, dana):
    quiet = AIModelFactory(developer=dana, api_name="quiet")
    busy = AIModelFactory(developer=dana, api_name="busy")
    set_counters(quiet, total_requests=1)
    set_counters(busy, total_requests=500)

    response = client.get(CATALOG)

    assert listed(response) == ["busy", "quiet"]
    assert response.context["sort"] == "popular"


def test_it_paginates_by_24_and_keeps_the_filters_in_page_links(client, dana):
    AIModelFactory.create_batch(30, developer=dana, tags=["nlp"])

    first = client.get(CATALOG, {"tag": "nlp", "sort": "name"})
    second = client.get(CATALOG, {"tag": "nlp", "sort": "name", "page": "2"})

    assert len(listed(first)) == 24
    assert len(listed(second)) == 6
    assert 'href="?tag=nlp&amp;sort=name&amp;page=2"' in first.content.decode()


def test_it_counts_models_per_category_for_the_current_search(client, dana):
    AIModelFactory(developer=dana, category=Category.TRANSLATION, description="legal documents")
    AIModelFactory(developer=dana, category=Category.TRANSLATION, description="legal letters")
    AIModelFactory(developer=dana, category=Category.SUMMARIZATION, description="legal briefs")
    AIModelFactory(developer=dana, category=Category.SUMMARIZATION, description="cooking recipes")

    response = client.get(CATALOG, {"q": "legal", "category": "translation"})

    counts = {c["value"]: c["count"] for c in response.context["category_counts"]}
    assert counts["translation"] == 2
    assert counts["summarization"] == 1
    assert counts["embeddings"] == 0
    assert len(listed(response)) == 2


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "legal"},
        {"q": "legal", "category": "translation"},
        {"category": "summarization"},
        {"category": "embeddings"},
        {"category": "telepathy"},
        {"q": "legal", "min_rating": "9"},
        {"tag": "nlp", "category": "translation", "page": "2"},
    ],
)
def test_the_result_count_is_the_number_of_matching_models(client, dana, params):
    AIModelFactory.create_batch(
        26, developer=dana, category=Category.TRANSLATION, description="legal documents", tags=["nlp"]
    )
    AIModelFactory.create_batch(
        3, developer=dana, category=Category.SUMMARIZATION, description="legal briefs"
    )
    AIModelFactory(developer=dana, category=Category.SUMMARIZATION, description="cooking recipes")
    AIModelFactory(developer=dana, category=Category.TRANSLATION, status=ModelStatus.INACTIVE)

    response = client.get(CATALOG, params)
    filterset = response.context["filter"]

    expected = filterset.qs.count()
    assert response.context["page_obj"].paginator.count == expected
    assert f"{expected} model{'' if expected == 1 else 's'}" in response.content.decode()


def test_it_shows_an_empty_state_with_a_way_to_reset(client, model):
    body = client.get(CATALOG, {"q": "nothing-matches-this-zzz"}).content.decode()

    assert "No models match" in body
    assert f'href="{CATALOG}">Reset search and filters' in body


@pytest.mark.parametrize(
    "params, message",
    [
        ({"min_rating": "abc"}, "Enter a number."),
        ({"min_rating": "9"}, "less than or equal to 5"),
        ({"min_price": "-1"}, "greater than or equal to 0"),
        ({"max_price": "lots"}, "Enter a number."),
        ({"category": "telepathy"}, "Select a valid choice."),
        ({"sort": "random"}, "Select a valid choice."),
    ],
)
def test_it_ignores_a_bad_filter_and_says_why_beside_it(client, model, params, message):
    response = client.get(CATALOG, params)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert listed(response) == [model.api_name]


@pytest.mark.parametrize("name", ["q", "tag", "developer", "min_price", "category", "sort", "page"])
def test_a_null_character_in_any_parameter_is_refused_politely(client, model, name):
    response = client.get(CATALOG, {name: "nl\x00p"})
    assert response.status_code == 200
    assert listed(response) == [model.api_name]


def test_too_many_or_too_long_tags_are_refused_beside_the_field(client, model):
    many = client.get(CATALOG, {"tag": [f"t{i}" for i in range(11)]})
    long = client.get(CATALOG, {"tag": "x" * 51})
    assert "Choose at most 10 tags." in many.content.decode()
    assert "A tag has at most 50 characters." in long.content.decode()
    assert listed(many) == listed(long) == [model.api_name]


@pytest.mark.parametrize("page", ["999", "abc", "-1", "0"])
def test_it_shows_a_real_page_for_an_impossible_page_number(client, model, page):
    response = client.get(CATALOG, {"page": page})

    assert response.status_code == 200
    assert listed(response) == [model.api_name]
    assert "showing page 1" in response.content.decode()


def test_it_keeps_what_was_typed_in_the_filter_form(client, model):
    body = client.get(CATALOG, {"q": "summ", "developer": "dana", "max_price": "0.5"}).content.decode()

    assert 'value="summ"' in body
    assert 'value="dana"' in body
    assert 'value="0.5"' in body


def test_it_offers_removable_chips_for_active_filters(client, model):
    body = client.get(CATALOG + "?tag=nlp&tag=legal&category=summarization").content.decode()

    assert 'href="?tag=legal&amp;category=summarization"' in body
    assert 'href="?tag=nlp&amp;tag=legal"' in body


@pytest.mark.parametrize("rows", [1, 50])
def test_it_runs_a_fixed_number_of_queries(client, alice, dana, rows, django_assert_max_num_queries):
    AIModelFactory.create_batch(rows, developer=dana, tags=["nlp"], description="legal help")
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        response = client.get(CATALOG, {"q": "legal", "tag": "nlp", "sort": "rating"})
    assert len(listed(response)) == min(rows, 24)
