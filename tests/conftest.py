"""Helpers for the foundation tests: raw SQL, a signed-in staff client, and a row of every kind."""

import pytest
from django.db import connection

from activity.models import DeveloperMonthlyUsage, ModelDailyStats, ModelUser
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from reviews.tests.factories import ReviewReplyFactory, ReviewVoteFactory

# Every table of the platform (the schema contract in DESIGN.md).
PLATFORM_TABLES = (
    "users",
    "credit_ledger",
    "api_key_spend",
    "model_consumer_usage",
    "developers",
    "user_api_keys",
    "models",
    "user_history",
    "api_usage_logs",
    "model_users",
    "developer_monthly_usage",
    "model_daily_stats",
    "user_history_counts",
    "model_reviews",
    "review_votes",
    "review_replies",
    "review_reports",
    "call_media",
    "call_media_deletions",
    "notifications",
    "model_likes",
    "collections",
    "collection_models",
)


def sql(query: str, params=None) -> list[tuple]:
    """Run plain SQL on the test connection, as a client outside Django would."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def scalar(query: str, params=None):
    rows = sql(query, params)
    return rows[0][0] if rows else None


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def every_kind_of_row(alice, bob, dana, model):
    """At least one row in every platform table, around dana's model."""
    from datetime import date

    from accounts.tests.factories import UserApiKeyFactory

    history = UserHistoryFactory(user=alice, model=model)
    ApiUsageLogFactory(model=model, user=alice)
    ApiUsageLogFactory(model=model, developer=dana, response_code=500)
    reply = ReviewReplyFactory(review__model=model, review__user=alice)
    ReviewVoteFactory(review=reply.review, user=bob)
    UserApiKeyFactory(user=alice)
    DeveloperMonthlyUsage.objects.create(developer=dana, month=date.today().replace(day=1), calls=2)
    return {
        "history": history,
        "review": reply.review,
        "model_user": ModelUser.objects.get(model=model, user=alice),
        "daily_stats": ModelDailyStats.objects.get(model=model),
    }
