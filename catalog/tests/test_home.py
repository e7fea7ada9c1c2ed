from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeveloperStatus, UserStatus
from activity.tests.factories import ApiUsageLogFactory
from catalog.models import AIModel, Category, ModelStatus
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory
from reviews.tests.helpers import verified_users

pytestmark = pytest.mark.django_db
HOME = reverse("catalog:home")


def names(models):
    return [model.api_name for model in models]


def test_it_renders_one_h1_for_an_anonymous_visitor(client, model):
    response = client.get(HOME)
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


def test_it_lists_top_rated_models_only_once_they_have_three_ratings(client, dana):
    rated = AIModelFactory(developer=dana, api_name="well-rated")
    ModelReviewFactory.create_batch(3, model=rated, rating=5)
    barely = AIModelFactory(developer=dana, api_name="barely-rated")
    ModelReviewFactory.create_batch(2, model=barely, rating=5)
    lower = AIModelFactory(developer=dana, api_name="lower-rated")
    ModelReviewFactory.create_batch(3, model=lower, rating=3)

    top = names(client.get(HOME).context["top_rated"])

    assert top == ["well-rated", "lower-rated"]


def test_it_ranks_trending_models_by_successful_calls_in_the_last_seven_days(client, dana):
    busy = AIModelFactory(developer=dana, api_name="busy")
    quiet = AIModelFactory(developer=dana, api_name="quiet")
    stale = AIModelFactory(developer=dana, api_name="stale")
    failing = AIModelFactory(developer=dana, api_name="failing")
    ApiUsageLogFactory.create_batch(3, model=busy)
    ApiUsageLogFactory(model=quiet)
    ApiUsageLogFactory.create_batch(5, model=stale, created_at=timezone.now() - timedelta(days=8))
    ApiUsageLogFactory.create_batch(5, model=failing, response_code=502)

    response = client.get(HOME)

    trending = list(response.context["trending"])
    assert names(trending) == ["busy", "quiet"]
    assert [model.recent_successes for model in trending] == [3, 1]
    assert "3 successful calls this week" in response.content.decode()


def test_it_lists_the_newest_models_first(client, dana):
    old = AIModelFactory(developer=dana, api_name="old-one")
    new = AIModelFactory(developer=dana, api_name="new-one")
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))

    assert names(client.get(HOME).context["newest"])[:2] == [new.api_name, old.api_name]


def test_it_counts_public_models_per_category(client, dana):
    AIModelFactory.create_batch(2, developer=dana, category=Category.TRANSLATION)
    AIModelFactory(developer=dana, category=Category.EMBEDDINGS)
    AIModelFactory(developer=dana, category=Category.EMBEDDINGS, is_public=False)

    response = client.get(HOME)

    counts = {c["value"]: c["count"] for c in response.context["categories"]}
    assert counts == {Category.TRANSLATION: 2, Category.EMBEDDINGS: 1}
    assert 'href="/models/?category=translation"' in response.content.decode()


def test_it_leaves_out_models_that_are_not_publicly_served(client, dana, eve):
    AIModelFactory(developer=dana, api_name="listed")
    AIModelFactory(developer=dana, api_name="hidden", is_public=False)
    AIModelFactory(developer=dana, api_name="retired", status=ModelStatus.DEPRECATED)
    AIModelFactory(developer=dana, api_name="waiting", status=ModelStatus.UNDER_REVIEW)
    AIModelFactory(developer=dana, api_name="switched-off", status=ModelStatus.INACTIVE)
    AIModelFactory(developer=eve, api_name="suspended-dev")
    eve.status = DeveloperStatus.SUSPENDED
    eve.save()

    response = client.get(HOME)

    assert names(response.context["newest"]) == ["listed"]
    for api_name in ("hidden", "retired", "waiting", "switched-off", "suspended-dev"):
        assert f'href="/models/{api_name}/"' not in response.content.decode()


def test_it_leaves_out_models_of_developers_whose_account_is_suspended(client, dana):
    AIModelFactory(developer=dana, api_name="owner-suspended")
    dana.user.status = UserStatus.SUSPENDED
    dana.user.save()

    assert names(client.get(HOME).context["newest"]) == []


def test_it_shows_friendly_empty_sections_when_nothing_is_listed(client, db):
    body = client.get(HOME).content.decode()
    assert "No models are listed yet." in body
    assert "No calls in the last 7 days yet." in body


@pytest.mark.parametrize("rows", [1, 50])
def test_it_runs_a_fixed_number_of_queries(client, alice, dana, rows, django_assert_max_num_queries):
    reviewers = verified_users(3)
    for model in AIModelFactory.create_batch(rows, developer=dana):
        for reviewer in reviewers:
            ModelReviewFactory(model=model, user=reviewer)
        ApiUsageLogFactory(model=model)
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        response = client.get(HOME)
    assert response.status_code == 200


def test_the_trending_ranking_is_kept_for_a_minute_but_models_are_read_fresh(client, dana):
    busy = AIModelFactory(developer=dana, api_name="busy-kept")
    ApiUsageLogFactory.create_batch(2, model=busy)
    assert names(client.get(HOME).context["trending"]) == ["busy-kept"]

    newcomer = AIModelFactory(developer=dana, api_name="newcomer")
    ApiUsageLogFactory.create_batch(5, model=newcomer)
    AIModel.objects.filter(pk=busy.pk).update(display_name="Renamed while kept")
    kept = client.get(HOME).context["trending"]
    assert names(kept) == ["busy-kept"]
    assert kept[0].display_name == "Renamed while kept"

    AIModel.objects.filter(pk=busy.pk).update(is_public=False)
    assert names(client.get(HOME).context["trending"]) == []

    cache.clear()
    assert names(client.get(HOME).context["trending"]) == ["newcomer"]
