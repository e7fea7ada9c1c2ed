"""updated_at is set by the database on every UPDATE, whoever writes and whatever they send."""

from datetime import UTC, datetime
from functools import partial

import pytest

from accounts.tests.factories import DeveloperFactory, UserFactory
from catalog.tests.factories import AIModelFactory
from favourites.tests.factories import CollectionFactory
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory
from tests.conftest import scalar, sql

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)

TABLES = {
    # No welcome grant: its ledger entry moves the balance, which is an update of the row.
    "users": (partial(UserFactory, credits=0), "user_id", "bio = 'changed'"),
    "developers": (DeveloperFactory, "developer_id", "company_name = 'Changed'"),
    "models": (AIModelFactory, "model_id", "display_name = 'Changed'"),
    "model_reviews": (ModelReviewFactory, "review_id", "review_title = 'Changed'"),
    "review_replies": (ReviewReplyFactory, "reply_id", "reply_text = 'Changed'"),
    "collections": (CollectionFactory, "collection_id", "title = 'Changed'"),
}


def test_every_table_with_updated_at_is_covered(db):
    with_column = {
        table
        for (table,) in sql(
            "SELECT table_name FROM information_schema.columns "
            "WHERE column_name = 'updated_at' AND table_schema = 'public' "
            "AND table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = 'public')"
        )
    }
    assert with_column == set(TABLES)


@pytest.mark.parametrize("table", sorted(TABLES))
def test_an_update_by_sql_sets_updated_at_even_when_told_otherwise(db, table):
    factory, pk_column, change = TABLES[table]
    row = factory(created_at=LONG_AGO, updated_at=LONG_AGO)
    assert scalar(f"SELECT updated_at FROM {table} WHERE {pk_column} = %s", [row.pk]) == LONG_AGO

    sql(f"UPDATE {table} SET {change}, updated_at = %s WHERE {pk_column} = %s", [LONG_AGO, row.pk])

    assert scalar(f"SELECT updated_at FROM {table} WHERE {pk_column} = %s", [row.pk]) == scalar(
        "SELECT now()"
    )


@pytest.mark.parametrize("table", sorted(TABLES))
def test_a_save_through_the_orm_sets_updated_at(db, table):
    factory, _, _ = TABLES[table]
    row = factory(created_at=LONG_AGO, updated_at=LONG_AGO)

    row.save()
    row.refresh_from_db()

    assert row.updated_at == scalar("SELECT now()")
    assert row.created_at == LONG_AGO
