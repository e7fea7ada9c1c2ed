"""catalog.services: creating, editing, changing the status of, rotating the key of and deleting a listing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts import keys
from activity.models import ApiUsageLog, ModelDailyStats, UserHistory
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog import services
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from dashboard import selectors
from reviews.models import ModelReview, ReviewReply
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory

pytestmark = pytest.mark.django_db

NEW_FIELDS = {
    "model_name": "tiny-llm",
    "display_name": "Tiny LLM",
    "api_name": "tiny-llm",
    "description": "Small and quick.",
    "category": "text_generation",
    "tags": ["small"],
    "endpoint_url": "https://upstream.example.com/v1",
    "price_per_request": Decimal("0.0010"),
    "is_public": True,
}


def test_model_create_stores_only_the_hash_and_prefix_of_the_key(dana):
    model, key = services.model_create(developer=dana, **NEW_FIELDS)
    model.refresh_from_db()
    assert keys.has_valid_checksum(key)
    assert model.api_key == keys.hash_key(key)
    assert model.api_key_prefix == key[: keys.DISPLAY_PREFIX_LENGTH]
    assert key not in model.api_key
    assert model.status == ModelStatus.UNDER_REVIEW
    assert model.developer == dana


def test_model_api_key_rotate_replaces_the_hash_so_the_old_key_no_longer_matches(model):
    old_hash = model.api_key
    key = services.model_api_key_rotate(model=model)
    model.refresh_from_db()
    assert model.api_key == keys.hash_key(key)
    assert model.api_key != old_hash
    assert not AIModel.objects.filter(api_key=old_hash).exists()


def test_model_update_changes_the_editable_fields(model):
    services.model_update(
        model=model, display_name="Renamed", price_per_request=Decimal("0.5000"), tags=["a", "b"]
    )
    model.refresh_from_db()
    assert (model.display_name, model.price_per_request, model.tags) == (
        "Renamed",
        Decimal("0.5000"),
        ["a", "b"],
    )


@pytest.mark.parametrize(
    "field", ["status", "developer", "api_key", "api_name", "total_requests", "average_rating"]
)
def test_model_update_refuses_fields_that_are_not_editable(model, field):
    with pytest.raises(TypeError):
        services.model_update(model=model, **{field: "x"})


def test_model_update_refuses_what_the_database_would_refuse(model):
    with pytest.raises(ValidationError) as error:
        services.model_update(model=model, endpoint_url="ftp://files.example.com/model")
    assert "The endpoint URL must start with http:// or https://." in error.value.messages
    model.refresh_from_db()
    assert model.endpoint_url.startswith("http")


@pytest.mark.parametrize(
    ("service", "start", "end"),
    [
        (services.model_deactivate, ModelStatus.ACTIVE, ModelStatus.INACTIVE),
        (services.model_deactivate, ModelStatus.UNDER_REVIEW, ModelStatus.INACTIVE),
        (services.model_deactivate, ModelStatus.DEPRECATED, ModelStatus.INACTIVE),
        (services.model_reactivate, ModelStatus.INACTIVE, ModelStatus.UNDER_REVIEW),
        (services.model_deprecate, ModelStatus.ACTIVE, ModelStatus.DEPRECATED),
    ],
)
def test_status_changes_follow_the_rules(dana, service, start, end):
    model = AIModelFactory(developer=dana, status=start)
    service(model=model)
    model.refresh_from_db()
    assert model.status == end


@pytest.mark.parametrize(
    ("service", "start"),
    [
        (services.model_deactivate, ModelStatus.INACTIVE),
        (services.model_reactivate, ModelStatus.ACTIVE),
        (services.model_reactivate, ModelStatus.UNDER_REVIEW),
        (services.model_reactivate, ModelStatus.DEPRECATED),
        (services.model_deprecate, ModelStatus.UNDER_REVIEW),
        (services.model_deprecate, ModelStatus.INACTIVE),
    ],
)
def test_status_changes_from_other_statuses_are_refused_and_change_nothing(dana, service, start):
    model = AIModelFactory(developer=dana, status=start)
    with pytest.raises(services.ModelStatusError):
        service(model=model)
    model.refresh_from_db()
    assert model.status == start


def test_a_stale_object_cannot_apply_a_transition_twice(model):
    stale = AIModel.objects.get(pk=model.pk)
    services.model_deprecate(model=model)
    with pytest.raises(services.ModelStatusError):
        services.model_deprecate(model=stale)


def test_model_deletion_impact_counts_what_the_delete_takes_with_it(model, alice, bob):
    ModelReviewFactory(model=model, user=alice)
    ReviewReplyFactory(review=ModelReviewFactory(model=model, user=bob))
    UserHistoryFactory.create_batch(3, model=model, user=alice)
    ApiUsageLogFactory.create_batch(4, model=model)
    ApiUsageLogFactory(model=AIModelFactory())
    impact = selectors.model_deletion_impact(model=model)
    assert impact == selectors.DeletionImpact(
        reviews=2, review_replies=1, history_rows=3, usage_logs=4, daily_rollups=1
    )


def test_model_delete_removes_the_model_and_everything_recorded_about_it(model, alice):
    other = AIModelFactory(developer=model.developer)
    ReviewReplyFactory(review=ModelReviewFactory(model=model, user=alice))
    UserHistoryFactory(model=model, user=alice)
    ApiUsageLogFactory(model=model)
    ApiUsageLogFactory(model=other)
    services.model_delete(model=model)
    assert not AIModel.objects.filter(pk=model.pk).exists()
    assert not ModelReview.objects.filter(model_id=model.pk).exists()
    assert not ReviewReply.objects.exists()
    assert not UserHistory.objects.filter(model_id=model.pk).exists()
    assert not ApiUsageLog.objects.filter(model_id=model.pk).exists()
    assert not ModelDailyStats.objects.filter(model_id=model.pk).exists()
    assert ApiUsageLog.objects.filter(model=other).count() == 1
