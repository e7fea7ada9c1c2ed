"""core.fields: ids, timestamps and counters the database fills in, and CHECKs Python can run too."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import Developer, DeveloperStatus
from core.fields import check_in, check_non_negative


def test_a_row_written_by_plain_sql_gets_its_id_timestamps_and_counters_from_the_database(alice):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO developers (user_id, username, email) VALUES (%s, 'plain', 'plain@example.com') "
            "RETURNING developer_id, created_at, updated_at, total_models_created",
            [alice.pk],
        )
        developer_id, created_at, updated_at, models_created = cursor.fetchone()
        cursor.execute("SELECT statement_timestamp()")
        (now,) = cursor.fetchone()

    assert isinstance(developer_id, uuid.UUID)
    assert created_at == updated_at and created_at <= now
    assert models_created == 0
    assert Developer.objects.get(pk=developer_id).username == "plain"


def test_a_row_made_in_python_has_its_id_before_it_is_saved(db):
    first, second = Developer(), Developer()

    assert isinstance(first.pk, uuid.UUID)
    assert first.pk != second.pk


def test_check_in_accepts_each_choice_and_nothing_else(db):
    constraint = check_in("status", DeveloperStatus.choices, "developers_status_valid")

    for status in DeveloperStatus.values:
        constraint.validate(Developer, Developer(status=status))
    with pytest.raises(ValidationError):
        constraint.validate(Developer, Developer(status="retired"))


def test_check_non_negative_accepts_zero_and_refuses_less(db):
    constraint = check_non_negative("api_quota", "developers_api_quota_non_negative")

    constraint.validate(Developer, Developer(api_quota=0))
    with pytest.raises(ValidationError):
        constraint.validate(Developer, Developer(api_quota=-1))
