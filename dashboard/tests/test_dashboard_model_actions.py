"""Status changes, key rotation and deletion of one's own listing, through the dashboard."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import keys
from activity.gateway.auth import authenticate
from activity.gateway.errors import GatewayError
from activity.models import ApiUsageLog, UserHistory
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db


def url(name, model):
    return reverse(f"dashboard:{name}", args=[model.api_name])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("model_deactivate", ModelStatus.ACTIVE, ModelStatus.INACTIVE),
        ("model_deactivate", ModelStatus.UNDER_REVIEW, ModelStatus.INACTIVE),
        ("model_reactivate", ModelStatus.INACTIVE, ModelStatus.UNDER_REVIEW),
    ],
)
def test_the_owner_changes_the_status_and_returns_to_the_model(signed_in, dana, action, start, end):
    model = AIModelFactory(developer=dana, status=start)
    response = signed_in.post(url(action, model))
    assert response.status_code == 302
    assert response.url == url("model_detail", model)
    model.refresh_from_db()
    assert model.status == end


@pytest.mark.parametrize(
    ("action", "start"),
    [
        ("model_deactivate", ModelStatus.INACTIVE),
        ("model_reactivate", ModelStatus.ACTIVE),
        ("model_deprecate", ModelStatus.UNDER_REVIEW),
    ],
)
def test_a_change_the_rules_refuse_says_why_and_changes_nothing(signed_in, dana, action, start):
    model = AIModelFactory(developer=dana, status=start)
    response = signed_in.post(url(action, model))
    assert response.status_code == 302
    assert any("cannot be" in text for text in messages_of(response))
    model.refresh_from_db()
    assert model.status == start


@pytest.mark.parametrize("action", ["model_deactivate", "model_reactivate", "model_undeprecate"])
def test_status_changes_refuse_get(signed_in, model, action):
    assert signed_in.get(url(action, model)).status_code == 405
    model.refresh_from_db()
    assert model.status == ModelStatus.ACTIVE


def test_a_deactivated_model_is_no_longer_served(signed_in, model):
    signed_in.post(url("model_deactivate", model))
    assert not AIModel.objects.served().filter(pk=model.pk).exists()


def test_reactivating_sends_the_model_back_to_review_not_straight_to_the_catalog(signed_in, model):
    signed_in.post(url("model_deactivate", model))
    signed_in.post(url("model_reactivate", model))
    model.refresh_from_db()
    assert model.status == ModelStatus.UNDER_REVIEW
    assert not AIModel.objects.public().filter(pk=model.pk).exists()


def test_the_rotate_page_asks_for_confirmation_first(signed_in, model):
    response = signed_in.get(url("model_key_rotate", model))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert 'for="id_confirm"' in html
    old = model.api_key
    response = signed_in.post(url("model_key_rotate", model), {})
    assert response.status_code == 200
    assert "Tick the box to confirm." in response.content.decode()
    model.refresh_from_db()
    assert model.api_key == old


def test_rotating_shows_the_new_key_once_and_the_old_key_stops_working_at_once(client, dana):
    old_key = keys.generate_model_key()
    model = AIModelFactory(developer=dana, key=old_key)
    assert authenticate(token=old_key).own_model == model
    client.force_login(dana.user)

    response = client.post(url("model_key_rotate", model), {"confirm": "on"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new_key = response.context["key"]
    assert new_key in response.content.decode()
    assert new_key != old_key

    model.refresh_from_db()
    assert model.api_key == keys.hash_key(new_key)
    with pytest.raises(GatewayError) as refused:
        authenticate(token=old_key)
    assert refused.value.status == 401
    assert authenticate(token=new_key).own_model == model
    assert new_key not in client.get(url("model_detail", model)).content.decode()


def test_rotating_refuses_get_as_a_way_to_change_the_key(signed_in, model):
    old = model.api_key
    signed_in.get(url("model_key_rotate", model), {"confirm": "on"})
    model.refresh_from_db()
    assert model.api_key == old


def test_the_delete_page_names_what_will_be_deleted_with_the_model(signed_in, model, alice, bob):
    ModelReviewFactory(model=model, user=alice)
    ModelReviewFactory(model=model, user=bob)
    UserHistoryFactory.create_batch(3, model=model, user=alice)
    ApiUsageLogFactory.create_batch(5, model=model)
    response = signed_in.get(url("model_delete", model))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "2 reviews" in html
    assert "3 history rows" in html
    assert "5 usage log rows" in html
    assert "<code>dana-summarizer</code>" in html


def test_deleting_needs_the_api_name_typed_exactly(signed_in, model):
    for typed in ("", "Dana-Summarizer", "dana"):
        response = signed_in.post(url("model_delete", model), {"confirm_api_name": typed})
        assert response.status_code == 200
        assert response.context["form"].errors["confirm_api_name"]
    assert AIModel.objects.filter(pk=model.pk).exists()


def test_deleting_removes_the_model_with_its_reviews_history_and_logs(signed_in, model, alice):
    ModelReviewFactory(model=model, user=alice)
    UserHistoryFactory(model=model, user=alice)
    ApiUsageLogFactory(model=model)
    response = signed_in.post(url("model_delete", model), {"confirm_api_name": "dana-summarizer"})
    assert response.status_code == 302
    assert response.url == reverse("dashboard:models")
    assert not AIModel.objects.filter(pk=model.pk).exists()
    assert not ModelReview.objects.exists()
    assert not UserHistory.objects.exists()
    assert not ApiUsageLog.objects.exists()
