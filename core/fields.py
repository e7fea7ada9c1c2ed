"""Column helpers shared by every app, so each table gets the same database-side defaults.

Every primary key is a UUID with a database default, and every timestamp defaults to now() in the
database, so rows written by plain SQL are as complete as rows written through the ORM.
"""

import uuid

from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.db.models.functions import Now


def uuid_pk() -> models.UUIDField:
    return models.UUIDField(primary_key=True, default=uuid.uuid4, db_default=RandomUUID(), editable=False)


def created_at() -> models.DateTimeField:
    return models.DateTimeField(db_default=Now(), editable=False)


def updated_at() -> models.DateTimeField:
    """Kept current by the set_updated_at trigger on every UPDATE, whoever writes."""
    return models.DateTimeField(db_default=Now(), editable=False)


def counter(big: bool = False) -> models.IntegerField:
    field = models.BigIntegerField if big else models.IntegerField
    return field(default=0, db_default=0, editable=False)


def check_in(field: str, choices, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": [value for value, _ in choices]}), name=name
    )


def check_non_negative(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(**{f"{field}__gte": 0}), name=name)
