"""The database's rules of a deprecation with notice (catalog 0012), whoever writes: deprecated_at follows the
status, leaving deprecated clears the notice, is_served holds until the sunset that the reads compare with
the clock, and deleting a replacement only drops the pointer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import AIModel, ModelStatus, PublicModel
from catalog.tests.factories import AIModelFactory
from tests.conftest import scalar, sql

pytestmark = pytest.mark.django_db


def row(model) -> dict:
    return AIModel.objects.values(
        "status", "is_served", "deprecated_at", "sunset_at", "replacement_id", "deprecation_note"
    ).get(pk=model.pk)


def test_deprecating_by_sql_stamps_deprecated_at_and_keeps_the_model_served_until_the_sunset(model):
    sql(
        "UPDATE models SET status = 'deprecated', sunset_at = now() + interval '9 days' WHERE model_id = %s",
        [model.pk],
    )

    state = row(model)
    assert state["deprecated_at"] is not None and state["is_served"] is True
    assert AIModel.objects.served().filter(pk=model.pk).exists()
    assert AIModel.objects.public().filter(pk=model.pk).exists()
    assert PublicModel.objects.filter(pk=model.pk).exists()


def test_past_the_sunset_the_flag_stays_but_no_read_serves_it(model):
    sql(
        "UPDATE models SET status = 'deprecated', sunset_at = now() - interval '1 minute' WHERE model_id = %s",
        [model.pk],
    )

    assert row(model)["is_served"] is True  # the flag does not follow the clock; the reads do
    assert not AIModel.objects.served().filter(pk=model.pk).exists()
    assert not AIModel.objects.public().filter(pk=model.pk).exists()
    assert not PublicModel.objects.filter(pk=model.pk).exists()
    loaded = AIModel.objects.select_related("developer__user").get(pk=model.pk)
    assert loaded.is_retired and not loaded.is_in_service


def test_a_deprecated_model_without_a_sunset_is_not_served(model):
    sql("UPDATE models SET status = 'deprecated' WHERE model_id = %s", [model.pk])

    assert row(model)["is_served"] is False


def test_leaving_deprecated_clears_the_notice(model, dana):
    replacement = AIModelFactory(developer=dana)
    sql(
        "UPDATE models SET status = 'deprecated', sunset_at = now() + interval '9 days', "
        "replacement_model_id = %s, deprecation_note = 'bye' WHERE model_id = %s",
        [replacement.pk, model.pk],
    )
    sql("UPDATE models SET status = 'inactive' WHERE model_id = %s", [model.pk])

    state = row(model)
    assert (state["deprecated_at"], state["sunset_at"], state["replacement_id"]) == (None, None, None)
    assert state["deprecation_note"] == "" and state["is_served"] is False


def test_deprecated_at_keeps_its_first_value_while_the_model_stays_deprecated(model):
    sql(
        "UPDATE models SET status = 'deprecated', sunset_at = now() + interval '9 days' WHERE model_id = %s",
        [model.pk],
    )
    first = row(model)["deprecated_at"]
    loaded = AIModel.objects.get(pk=model.pk)
    loaded.sunset_at = timezone.now() + timedelta(days=20)
    loaded.save()

    assert row(model)["deprecated_at"] == first


def test_deleting_the_replacement_leaves_the_deprecated_model_without_one(model, dana):
    replacement = AIModelFactory(developer=dana)
    AIModel.objects.filter(pk=model.pk).update(
        status=ModelStatus.DEPRECATED, sunset_at=timezone.now() + timedelta(days=9), replacement=replacement
    )

    sql("DELETE FROM models WHERE model_id = %s", [replacement.pk])

    assert scalar("SELECT count(*) FROM models WHERE model_id = %s", [model.pk]) == 1
    assert row(model)["replacement_id"] is None
