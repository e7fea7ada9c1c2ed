"""GET /api/v1/models: the public catalog as JSON, with the catalog page's filters, sorts and pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import DeveloperStatus
from activity.gateway.schemas import ModelsPage
from catalog.models import AIModel, Category, ModelStatus
from catalog.tests.factories import AIModelFactory


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["api_name"] for row in response.json()["results"]]


@pytest.fixture
def catalog(dana, eve):
    now = timezone.now()
    rows = [
        dict(developer=dana, api_name="alpha", display_name="Alpha Writer", category=Category.TEXT_GENERATION,
             tags=["nlp", "writing"], price_per_request=Decimal("0.0300"), description="Writes stories."),
        dict(developer=dana, api_name="beta", display_name="Beta Summarizer", category=Category.SUMMARIZATION,
             tags=["nlp"], price_per_request=Decimal("0.0100"), description="Summarizes long documents."),
        dict(developer=eve, api_name="gamma", display_name="Gamma Coder", category=Category.CODE_GENERATION,
             tags=["code"], price_per_request=Decimal("0.0200"), description="Completes Python code."),
    ]  # fmt: skip
    models = [AIModelFactory(**row) for row in rows]
    for days, model in zip((3, 2, 1), models, strict=True):
        AIModel.objects.filter(pk=model.pk).update(created_at=now - timedelta(days=days))
    # Counters belong to triggers; the test writes them directly to set up an order to sort by.
    AIModel.objects.filter(api_name="alpha").update(average_rating=Decimal("4.50"), total_requests=10)
    AIModel.objects.filter(api_name="beta").update(average_rating=Decimal("3.00"), total_requests=50)
    AIModel.objects.filter(api_name="gamma").update(average_rating=Decimal("4.90"), total_requests=5)
    AIModelFactory(developer=dana, api_name="hidden", is_public=False)
    AIModelFactory(developer=dana, api_name="retired", status=ModelStatus.DEPRECATED)
    AIModelFactory(developer=dana, api_name="pending", status=ModelStatus.UNDER_REVIEW)
    return models


def test_it_lists_public_active_models_in_the_documented_shape(client, catalog):
    response = client.get("/api/v1/models")

    body = response.json()
    ModelsPage.model_validate(body)
    assert sorted(names(response)) == ["alpha", "beta", "gamma"]
    assert body["count"] == 3
    alpha = next(row for row in body["results"] if row["api_name"] == "alpha")
    assert alpha["display_name"] == "Alpha Writer"
    assert alpha["price_per_request"] == 0.03
    assert alpha["average_rating"] == 4.5
    assert alpha["developer"]["username"] == "dana"
    assert alpha["page_url"].endswith("/models/alpha/")
    assert alpha["invoke_url"].endswith("/api/v1/models/alpha/invoke")


def test_models_of_suspended_developers_are_not_listed(client, catalog, eve):
    eve.status = DeveloperStatus.SUSPENDED
    eve.save()

    assert sorted(names(client.get("/api/v1/models"))) == ["alpha", "beta"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("category=summarization", ["beta"]),
        ("tag=nlp", ["beta", "alpha"]),
        ("tag=nlp&tag=writing", ["alpha"]),
        ("developer=eve", ["gamma"]),
        ("developer=DANA", ["beta", "alpha"]),
        ("min_rating=4", ["alpha", "gamma"]),
        ("q=python", ["gamma"]),
        ("q=summ", ["beta"]),
    ],
)
def test_it_filters_like_the_catalog(client, catalog, query, expected):
    assert names(client.get(f"/api/v1/models?{query}")) == expected


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("popular", ["beta", "alpha", "gamma"]),
        ("rating", ["gamma", "alpha", "beta"]),
        ("newest", ["gamma", "beta", "alpha"]),
        ("name", ["alpha", "beta", "gamma"]),
        ("price", ["beta", "gamma", "alpha"]),
    ],
)
def test_it_sorts_like_the_catalog(client, catalog, sort, expected):
    assert names(client.get(f"/api/v1/models?sort={sort}")) == expected


def test_it_pages_with_links_to_the_next_and_previous_pages(client, catalog):
    first = client.get("/api/v1/models?sort=name&page_size=2").json()
    second = client.get("/api/v1/models?sort=name&page_size=2&page=2").json()

    assert [row["api_name"] for row in first["results"]] == ["alpha", "beta"]
    assert first["num_pages"] == 2
    assert first["previous"] is None
    assert "page=2" in first["next"] and "sort=name" in first["next"]
    assert [row["api_name"] for row in second["results"]] == ["gamma"]
    assert second["next"] is None


@pytest.mark.parametrize(
    "query",
    [
        "category=nope",
        "sort=cheapest",
        "min_rating=9",
        "page=0",
        "page_size=1000",
        "page=5",
        "min_rating=abc",
    ],
)
def test_bad_filter_values_are_a_400_in_the_error_shape(client, catalog, query):
    response = client.get(f"/api/v1/models?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_a_key_in_the_query_string_is_refused_here_too(client, catalog):
    response = client.get("/api/v1/models?api_key=amp_pk_whatever")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "key_in_query"


@pytest.mark.parametrize("rows", [1, 50])
def test_it_runs_a_fixed_number_of_queries_whatever_the_rows(
    client, dana, rows, django_assert_max_num_queries
):
    AIModelFactory.create_batch(rows, developer=dana)

    with django_assert_max_num_queries(3):  # the count, the page, the page's stats
        response = client.get("/api/v1/models?page_size=100")
    assert response.json()["count"] == rows
