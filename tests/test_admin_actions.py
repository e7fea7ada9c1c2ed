"""Each moderation action does what it says, in one UPDATE, and tells staff how many rows changed."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Developer, DeveloperStatus, User, UserApiKey, UserStatus
from accounts.tests.factories import DeveloperFactory, PendingUserFactory, UserApiKeyFactory, UserFactory
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory


def run_action(client, model, action: str, objects) -> tuple[list[str], list[str]]:
    """POST the action on the changelist; return the messages shown and the UPDATE statements run."""
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            changelist,
            {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [str(obj.pk) for obj in objects]},
        )
    assert response.status_code == 302
    updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and not q["sql"].startswith('UPDATE "django_session"')
    ]
    shown = client.get(response["Location"])  # the changelist shows the messages, once
    return [str(message) for message in shown.context["messages"]], updates


def statuses(model, objects) -> list[str]:
    return [model.objects.get(pk=obj.pk).status for obj in objects]


def test_approving_developers_activates_those_waiting_in_one_update(staff_client, dana):
    waiting = DeveloperFactory.create_batch(2, status=DeveloperStatus.PENDING_APPROVAL)
    suspended = DeveloperFactory(status=DeveloperStatus.SUSPENDED)

    messages, updates = run_action(staff_client, Developer, "approve_developers", [*waiting, suspended, dana])

    assert statuses(Developer, [*waiting, suspended, dana]) == ["active"] * 4
    assert messages == ["3 developers approved."]
    assert len(updates) == 1


def test_suspending_developers_stops_their_models_being_served(staff_client, dana, model):
    messages, updates = run_action(staff_client, Developer, "suspend_developers", [dana])

    assert statuses(Developer, [dana]) == ["suspended"]
    assert messages == ["1 developer suspended."]
    assert len(updates) == 1
    assert not AIModel.objects.served().filter(pk=model.pk).exists()


def test_an_action_that_changes_nothing_says_so(staff_client, dana):
    messages, _ = run_action(staff_client, Developer, "approve_developers", [dana])

    assert messages == ["No developers changed: they were already active."]


@pytest.mark.parametrize(
    ("action", "status", "done"),
    [
        ("approve_models", ModelStatus.ACTIVE, "approved"),
        ("reject_models", ModelStatus.INACTIVE, "rejected"),
        ("deprecate_models", ModelStatus.DEPRECATED, "deprecated"),
    ],
)
def test_model_actions_set_the_status_they_name(staff_client, dana, action, status, done):
    models = [AIModelFactory(developer=dana, status=each) for each in ModelStatus.values]

    messages, updates = run_action(staff_client, AIModel, action, models)

    assert statuses(AIModel, models) == [status] * 4
    assert messages == [f"3 models {done}."]
    assert len(updates) == 1


def test_approved_models_reach_the_catalog_and_rejected_ones_leave_it(staff_client, dana):
    waiting = AIModelFactory(developer=dana, status=ModelStatus.UNDER_REVIEW)

    run_action(staff_client, AIModel, "approve_models", [waiting])
    assert AIModel.objects.public().filter(pk=waiting.pk).exists()

    run_action(staff_client, AIModel, "reject_models", [waiting])
    assert not AIModel.objects.public().filter(pk=waiting.pk).exists()


def test_suspending_users_in_one_update(staff_client, alice, bob):
    messages, updates = run_action(staff_client, User, "suspend_users", [alice, bob])

    assert statuses(User, [alice, bob]) == ["suspended", "suspended"]
    assert messages == ["2 users suspended."]
    assert len(updates) == 1
    assert not User.objects.get(pk=alice.pk).is_active


def test_staff_cannot_suspend_themselves(staff_client, staff, alice):
    messages, _ = run_action(staff_client, User, "suspend_users", [staff, alice])

    assert statuses(User, [staff, alice]) == ["active", "suspended"]
    assert messages == ["You cannot suspend your own account; it was left as is.", "1 user suspended."]


def test_reactivating_users_restores_verified_ones_and_sends_others_back_to_verification(staff_client, alice):
    unverified = PendingUserFactory()
    User.objects.filter(pk__in=[alice.pk, unverified.pk]).update(status=UserStatus.SUSPENDED)
    waiting = PendingUserFactory()

    messages, updates = run_action(staff_client, User, "reactivate_users", [alice, unverified, waiting])

    assert statuses(User, [alice, unverified, waiting]) == [
        "active",
        "pending_verification",
        "pending_verification",
    ]
    assert messages == ["2 users reactivated."]
    assert len(updates) == 1


def test_hiding_and_showing_reviews_moves_the_models_rating(staff_client, model):
    kept = ModelReviewFactory(model=model, rating=5)
    spam = ModelReviewFactory.create_batch(2, model=model, rating=1)

    messages, updates = run_action(staff_client, ModelReview, "hide_reviews", [*spam, kept])
    assert messages == ["3 reviews hidden."]
    assert len(updates) == 1
    model.refresh_from_db()
    assert (model.rating_count, model.average_rating) == (0, Decimal("0.00"))

    messages, _ = run_action(staff_client, ModelReview, "show_reviews", [kept])
    assert messages == ["1 review shown."]
    model.refresh_from_db()
    assert (model.rating_count, model.average_rating) == (1, Decimal("5.00"))
    assert ModelReview.objects.visible().filter(model=model).count() == 1


def test_revoking_personal_keys_in_one_update(staff_client, alice):
    keys = UserApiKeyFactory.create_batch(2, user=alice)
    already = UserApiKeyFactory(user=alice)
    UserApiKey.objects.filter(pk=already.pk).update(revoked_at="2026-01-01T00:00:00Z")

    messages, updates = run_action(staff_client, UserApiKey, "revoke_keys", [*keys, already])

    assert messages == ["2 keys revoked."]
    assert len(updates) == 1
    assert UserApiKey.objects.filter(user=alice).active().count() == 0


def test_actions_are_not_offered_without_the_change_permission(client, alice):
    viewer = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_developer"))
    client.force_login(viewer)
    DeveloperFactory(status=DeveloperStatus.PENDING_APPROVAL)

    response = client.get(reverse("admin:accounts_developer_changelist"))

    assert response.status_code == 200
    assert b"approve_developers" not in response.content
