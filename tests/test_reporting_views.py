"""The three SQL views give the right aggregates on a small dataset whose figures are known by hand."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import DeveloperStatus, UserStatus
from accounts.tests.factories import DeveloperFactory, UserFactory
from activity.models import UserActivitySummary
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.models import AIModel, DeveloperDashboardStats, ModelStatus, PublicModel
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory


@pytest.fixture
def marketplace(alice, bob, dana, eve):
    """dana: four models in every state; eve: suspended; frank: active developer whose account is suspended."""
    listed = AIModelFactory(developer=dana, api_name="listed", display_name="Listed", tags=["a", "b"])
    private = AIModelFactory(developer=dana, api_name="private", is_public=False)
    inactive = AIModelFactory(developer=dana, api_name="inactive", status=ModelStatus.INACTIVE)
    deprecated = AIModelFactory(developer=dana, api_name="deprecated", status=ModelStatus.DEPRECATED)
    eve.status = DeveloperStatus.SUSPENDED
    eve.save()
    AIModelFactory(developer=eve, api_name="eves")
    frank = DeveloperFactory(username="frank", user__status=UserStatus.SUSPENDED)
    AIModelFactory(developer=frank, api_name="franks")

    start_of_month = timezone.now().astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = start_of_month - timedelta(hours=1)
    for code in (200, 200, 201, 404):
        ApiUsageLogFactory(model=listed, response_code=code)
    ApiUsageLogFactory(model=private, response_code=200, created_at=last_month)
    ApiUsageLogFactory(model=deprecated, response_code=200)
    ApiUsageLogFactory(model=deprecated, response_code=502)

    first = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    UserHistoryFactory(
        user=alice,
        model=listed,
        cost_incurred=Decimal("0.0100"),
        response_time_ms=100,
        request_timestamp=first,
    )
    UserHistoryFactory(
        user=alice,
        model=listed,
        cost_incurred=Decimal("0.0100"),
        response_time_ms=200,
        request_timestamp=first + timedelta(days=1),
    )
    UserHistoryFactory(
        user=alice,
        model=private,
        cost_incurred=Decimal("0.5000"),
        response_time_ms=301,
        request_timestamp=first + timedelta(days=2),
    )
    UserHistoryFactory(
        user=bob, model=listed, cost_incurred=Decimal("0.0100"), response_time_ms=50, request_timestamp=first
    )

    ModelReviewFactory(model=listed, user=alice, rating=5)
    ModelReviewFactory(model=listed, user=bob, rating=4)
    ModelReviewFactory(model=private, user=alice, rating=2)
    ModelReviewFactory(model=inactive, user=bob, rating=1, is_hidden=True)
    return {"listed": listed, "frank": frank, "last_activity": first + timedelta(days=2)}


def test_public_models_view_lists_only_active_public_models_of_active_developers(marketplace, dana):
    rows = list(PublicModel.objects.values())

    assert rows == [
        {
            "model_id": marketplace["listed"].pk,
            "api_name": "listed",
            "display_name": "Listed",
            "description": marketplace["listed"].description,
            "category": "text_generation",
            "tags": ["a", "b"],
            "price_per_request": Decimal("0.0100"),
            "average_rating": Decimal("4.50"),
            "rating_count": 2,
            "total_requests": 3,
            "total_users": 2,
            "created_at": marketplace["listed"].created_at,
            "developer_id": dana.pk,
            "developer_username": "dana",
            "company_name": dana.company_name,
            "sunset_at": None,
        }
    ]


def test_public_models_view_keeps_a_deprecated_model_until_its_sunset(dana):
    model = AIModelFactory(
        developer=dana, status=ModelStatus.DEPRECATED, sunset_at=timezone.now() + timedelta(days=3)
    )
    assert PublicModel.objects.get(pk=model.pk).sunset_at == model.sunset_at

    AIModel.objects.filter(pk=model.pk).update(sunset_at=timezone.now() - timedelta(seconds=1))
    assert not PublicModel.objects.filter(pk=model.pk).exists()


def test_developer_dashboard_stats_add_up_a_developers_models(marketplace, dana):
    stats = DeveloperDashboardStats.objects.get(developer=dana)

    assert {
        "username": stats.username,
        "total_models": stats.total_models,
        "active_models": stats.active_models,
        "total_requests": stats.total_requests,
        "total_users": stats.total_users,
        "average_rating": stats.average_rating,
        "total_revenue": stats.total_revenue,
        "calls_this_month": stats.calls_this_month,
        "api_quota": stats.api_quota,
    } == {
        "username": "dana",
        "total_models": 4,
        "active_models": 2,
        "total_requests": 5,  # 2xx only: 3 on listed, 1 on private (last month), 1 on deprecated
        "total_users": 2,  # alice (two models) and bob
        "average_rating": Decimal("3.67"),  # (5 + 4 + 2) / 3; the hidden review does not count
        "total_revenue": Decimal("0.5300"),
        "calls_this_month": 6,  # every logged call this month, refused or failed included
        "api_quota": 10_000,
    }


def test_developer_dashboard_stats_have_a_zero_row_for_a_developer_without_models(db):
    newcomer = DeveloperFactory()

    stats = DeveloperDashboardStats.objects.get(developer=newcomer)

    assert (stats.total_models, stats.total_requests, stats.total_users) == (0, 0, 0)
    assert (stats.average_rating, stats.total_revenue, stats.calls_this_month) == (0, 0, 0)


def test_user_activity_summary_sums_up_each_users_history_and_reviews(marketplace, alice, bob):
    alice_row = UserActivitySummary.objects.get(user=alice)
    bob_row = UserActivitySummary.objects.get(user=bob)

    assert (
        alice_row.username,
        alice_row.total_interactions,
        alice_row.distinct_models,
        alice_row.total_cost,
        alice_row.avg_response_time_ms,
        alice_row.last_activity_at,
        alice_row.reviews_written,
    ) == ("alice", 3, 2, Decimal("0.5200"), Decimal("200.33"), marketplace["last_activity"], 2)
    assert (bob_row.total_interactions, bob_row.distinct_models, bob_row.reviews_written) == (1, 1, 2)


def test_user_activity_summary_has_a_row_for_every_user_even_without_activity(db):
    quiet = UserFactory()

    row = UserActivitySummary.objects.get(user=quiet)

    assert (row.total_interactions, row.distinct_models, row.total_cost, row.reviews_written) == (0, 0, 0, 0)
    assert (row.avg_response_time_ms, row.last_activity_at) == (None, None)
    assert UserActivitySummary.objects.count() == UserFactory._meta.model.objects.count()
