"""Deleting a row by plain SQL removes its dependents: the cascades live in the database, not in Django."""

import pytest

from tests.conftest import PLATFORM_TABLES, scalar, sql

DEPENDENTS_OF_A_USER = {
    "user_history": "user_id",
    "api_usage_logs": "user_id",
    "model_reviews": "user_id",
    "review_votes": "user_id",
    "user_api_keys": "user_id",
    "model_users": "user_id",
    "developers": "user_id",
    "django_admin_log": "user_id",
}


def count(table: str, column: str, value) -> int:
    return scalar(f"SELECT count(*) FROM {table} WHERE {column} = %s", [value])


def test_every_foreign_key_touching_the_platform_cascades_in_the_database(db):
    rows = sql(
        "SELECT conname, confdeltype FROM pg_constraint WHERE contype = 'f' "
        "AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s))",
        [list(PLATFORM_TABLES), list(PLATFORM_TABLES)],
    )
    assert len(rows) >= 20
    # One key sets null instead: deleting the model named as a deprecated model's replacement must not
    # delete the deprecated model (catalog 0012).
    assert [(name, action) for name, action in rows if action != "c"] == [
        ("models_replacement_model_id_fk", "n")
    ]


def test_every_foreign_key_of_the_platform_leads_an_index(db):
    """A cascade deletes the referencing rows by key, and the dashboards join on them: each referencing
    column must lead some index. The tables every call writes keep one index per key, not two (activity
    0012, catalog 0006)."""
    rows = sql(
        """
        SELECT c.conrelid::regclass::text, a.attname,
               EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]
                              AND i.indpred IS NULL)
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
        """,
        [list(PLATFORM_TABLES)],
    )
    assert len(rows) >= 15
    assert [(table, column) for table, column, indexed in rows if not indexed] == []
    single_key_indexes = sql(
        """
        SELECT i.indexrelid::regclass::text FROM pg_index i
        JOIN pg_constraint c ON c.conrelid = i.indrelid AND c.contype = 'f' AND i.indkey[0] = c.conkey[1]
        WHERE i.indnatts = 1 AND i.indrelid::regclass::text = ANY(%s)
        """,
        [
            [
                "api_usage_logs",
                "user_history",
                "model_users",
                "model_daily_stats",
                "developer_monthly_usage",
                "models",
            ]
        ],
    )
    assert single_key_indexes == []


def test_deleting_a_user_by_sql_removes_everything_that_is_theirs(every_kind_of_row, alice, staff, model):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from accounts.tests.factories import DeveloperFactory
    from reviews.tests.factories import ReviewVoteFactory

    DeveloperFactory(user=alice)
    ReviewVoteFactory(user=alice, review__model=model)
    LogEntry.objects.create(
        user=alice, content_type=ContentType.objects.get_for_model(staff), object_id="1", action_flag=CHANGE
    )
    assert all(count(table, column, alice.pk) for table, column in DEPENDENTS_OF_A_USER.items())

    sql("DELETE FROM users WHERE user_id = %s", [alice.pk])

    assert {table: count(table, column, alice.pk) for table, column in DEPENDENTS_OF_A_USER.items()} == {
        table: 0 for table in DEPENDENTS_OF_A_USER
    }


def test_deleting_a_developer_by_sql_removes_their_models_and_everything_on_them(
    every_kind_of_row, dana, model
):
    assert count("developer_monthly_usage", "developer_id", dana.pk) == 1

    sql("DELETE FROM developers WHERE developer_id = %s", [dana.pk])

    assert count("models", "developer_id", dana.pk) == 0
    assert count("api_usage_logs", "developer_id", dana.pk) == 0
    assert count("developer_monthly_usage", "developer_id", dana.pk) == 0
    assert count("review_replies", "developer_id", dana.pk) == 0
    for table in ("user_history", "api_usage_logs", "model_reviews", "model_users", "model_daily_stats"):
        assert count(table, "model_id", model.pk) == 0, table
    assert count("users", "user_id", dana.user_id) == 1, "the sign-in account stays"


def test_deleting_a_model_by_sql_removes_its_history_logs_reviews_and_rollups(every_kind_of_row, model):
    review = every_kind_of_row["review"]

    sql("DELETE FROM models WHERE model_id = %s", [model.pk])

    for table in ("user_history", "api_usage_logs", "model_reviews", "model_users", "model_daily_stats"):
        assert count(table, "model_id", model.pk) == 0, table
    assert count("review_votes", "review_id", review.pk) == 0
    assert count("review_replies", "review_id", review.pk) == 0


def test_deleting_a_review_by_sql_removes_its_votes_and_reply(every_kind_of_row):
    review = every_kind_of_row["review"]
    assert count("review_votes", "review_id", review.pk) == 1
    assert count("review_replies", "review_id", review.pk) == 1

    sql("DELETE FROM model_reviews WHERE review_id = %s", [review.pk])

    assert count("review_votes", "review_id", review.pk) == 0
    assert count("review_replies", "review_id", review.pk) == 0


@pytest.mark.parametrize("table", ["users", "developers", "models", "model_reviews"])
def test_a_cascade_leaves_no_row_pointing_at_nothing(every_kind_of_row, table):
    sql(f"DELETE FROM {table}")
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # would raise if any foreign key were left dangling

    assert (
        scalar(
            "SELECT count(*) FROM review_votes v LEFT JOIN model_reviews r USING (review_id) "
            "WHERE r.review_id IS NULL"
        )
        == 0
    )
