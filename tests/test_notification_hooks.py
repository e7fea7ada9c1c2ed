"""What tells people through accounts.notifications: staff's decisions on developers and models, a
developer's reply to a review, a new review of a model. Each writes an inbox row for its recipient and
mails it as their settings allow, and a decision rolled back tells nobody."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from accounts import services
from accounts.models import Developer, DeveloperStatus, Notification, NotificationKind
from accounts.notifications import preferences_set
from accounts.tests.factories import DeveloperFactory
from catalog.models import AIModel, ModelStatus
from catalog.services import models_decide
from catalog.tests.factories import AIModelFactory
from reviews.services import ReviewError, reply_save, review_create
from reviews.tests.factories import ModelReviewFactory
from tests.test_admin_actions import run_action

SETTINGS_LINE = "Change what we send you: http://127.0.0.1:8000/me/notifications/settings/"

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def only_notification(user) -> Notification:
    (row,) = Notification.objects.filter(user=user)
    return row


# --- Developer applications -----------------------------------------------------------------------------
def test_approving_an_application_tells_the_developer_in_the_inbox_and_by_mail(
    staff_client, django_capture_on_commit_callbacks
):
    waiting = DeveloperFactory(
        username="ada-labs", status=DeveloperStatus.PENDING_APPROVAL, email="ada@lab.example.com"
    )

    with django_capture_on_commit_callbacks(execute=True):
        run_action(staff_client, Developer, "approve_developers", [waiting])

    row = only_notification(waiting.user)
    assert row.kind == NotificationKind.DEVELOPER_DECIDED
    assert row.title == "Your developer account ada-labs is approved"
    assert row.url == "/dashboard/"
    (message,) = mail.outbox
    assert message.to == ["ada@lab.example.com"]
    assert message.subject == "Your AI Model Platform developer account is active"
    assert f"Hello {waiting.first_name}," in message.body
    assert SETTINGS_LINE in message.body


def test_rejecting_applications_makes_them_inactive_and_tells_each_applicant(
    staff_client, django_capture_on_commit_callbacks, dana
):
    waiting = DeveloperFactory(status=DeveloperStatus.PENDING_APPROVAL, email="wes@lab.example.com")

    with django_capture_on_commit_callbacks(execute=True):
        shown, _ = run_action(staff_client, Developer, "reject_applications", [waiting, dana])

    assert shown == ["1 application rejected."]
    waiting.refresh_from_db()
    dana.refresh_from_db()
    assert waiting.status == DeveloperStatus.INACTIVE
    assert dana.status == DeveloperStatus.ACTIVE  # not waiting: left as it was, told nothing
    row = only_notification(waiting.user)
    assert row.title == "Your developer application was not approved"
    assert row.url == "/developers/apply/"
    assert not Notification.objects.filter(user=dana.user).exists()
    (message,) = mail.outbox
    assert message.to == ["wes@lab.example.com"]
    assert message.subject == "Your AI Model Platform developer application was not approved"
    assert "http://127.0.0.1:8000/developers/apply/" in message.body
    assert SETTINGS_LINE in message.body


def test_rejecting_only_decided_developers_changes_nothing(staff_client, dana):
    shown, updates = run_action(staff_client, Developer, "reject_applications", [dana])

    assert shown == ["No applications changed: they were not waiting for approval."]
    assert not Notification.objects.exists()


def test_the_rejected_applicant_sees_the_decision_on_the_apply_page(client):
    waiting = DeveloperFactory(status=DeveloperStatus.PENDING_APPROVAL)
    services.developers_reject(developers=Developer.objects.filter(pk=waiting.pk))
    client.force_login(waiting.user)

    html = client.get(reverse("apply:apply")).content.decode()

    assert "Not approved, or taken out of service by staff" in html


# --- Models ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("decision", "title", "url", "subject"),
    [
        (
            "approve",
            "Your model Echo was approved",
            "/models/echo/",
            "Echo is approved and live on AI Model Platform",
        ),
        (
            "reject",
            "Your model Echo was not approved",
            "/dashboard/models/echo/",
            "Echo was not approved on AI Model Platform",
        ),
    ],
)
def test_a_decision_on_a_model_tells_its_developer(
    dana, django_capture_on_commit_callbacks, decision, title, url, subject
):
    AIModelFactory(developer=dana, api_name="echo", display_name="Echo", status=ModelStatus.UNDER_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        models_decide(models=AIModel.objects.filter(api_name="echo"), decision=decision)

    row = only_notification(dana.user)
    assert (row.kind, row.title, row.url) == (NotificationKind.MODEL_DECIDED, title, url)
    assert row.payload["api_name"] == "echo"
    (message,) = mail.outbox
    assert message.to == ["dana@studio.example.com"]
    assert message.subject == subject
    assert SETTINGS_LINE in message.body


def test_a_developer_who_switched_model_decisions_off_is_told_nothing(
    dana, django_capture_on_commit_callbacks
):
    preferences_set(user=dana.user, off=["model_decided"], mails_off=[])
    AIModelFactory(developer=dana, api_name="echo", status=ModelStatus.UNDER_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        assert models_decide(models=AIModel.objects.filter(api_name="echo"), decision="approve") == 1

    assert not Notification.objects.exists()
    assert mail.outbox == []
    assert AIModel.objects.get(api_name="echo").status == ModelStatus.ACTIVE


def test_a_developer_who_switched_its_mail_off_finds_it_in_the_inbox_only(
    dana, django_capture_on_commit_callbacks
):
    preferences_set(user=dana.user, off=[], mails_off=["model_decided"])
    AIModelFactory(developer=dana, api_name="echo", status=ModelStatus.UNDER_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        models_decide(models=AIModel.objects.filter(api_name="echo"), decision="reject")

    assert only_notification(dana.user).title.endswith("was not approved")
    assert mail.outbox == []


# --- Replies --------------------------------------------------------------------------------------------
def test_a_first_reply_tells_the_reviewer_and_an_edit_does_not(
    dana, model, alice, django_capture_on_commit_callbacks
):
    dana.company_name = "Ada Labs"
    dana.save()
    review = ModelReviewFactory(model=model, user=alice, review_title="Quick")

    with django_capture_on_commit_callbacks(execute=True):
        reply_save(review=review, developer=dana, text="Thanks!")
    with django_capture_on_commit_callbacks(execute=True):
        reply_save(review=review, developer=dana, text="Thanks again!")

    row = only_notification(alice)
    assert row.kind == NotificationKind.REVIEW_REPLY
    assert row.title == "Ada Labs replied to your review of Dana Summarizer"
    assert row.url == f"/models/dana-summarizer/reviews/#review-{review.pk}"
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "The developer of Dana Summarizer replied to your review"
    assert SETTINGS_LINE in message.body


def test_a_reviewer_who_switched_reply_mails_off_gets_the_reply_in_the_inbox_only(
    dana, model, alice, django_capture_on_commit_callbacks
):
    preferences_set(user=alice, off=[], mails_off=["review_reply"])
    review = ModelReviewFactory(model=model, user=alice)

    with django_capture_on_commit_callbacks(execute=True):
        reply_save(review=review, developer=dana, text="Thanks!")

    assert only_notification(alice).kind == NotificationKind.REVIEW_REPLY
    assert mail.outbox == []


# --- New reviews ----------------------------------------------------------------------------------------
def test_a_new_review_tells_the_models_developer(
    alice_client, dana, model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("reviews:create", args=[model.api_name]),
            {"rating": "4", "review_title": "Fast and cheap", "review_text": "Does the job."},
        )
    assert response.status_code == 302

    review = model.reviews.get()
    row = only_notification(dana.user)
    assert row.kind == NotificationKind.NEW_REVIEW
    assert row.title == "New 4★ review of Dana Summarizer: “Fast and cheap”"
    assert row.url == reverse("reviews:reply", args=[model.api_name, review.pk])
    assert row.payload["rating"] == 4
    (message,) = mail.outbox
    assert message.to == ["dana@studio.example.com"]
    assert message.subject == 'New 4-star review of Dana Summarizer: "Fast and cheap"'
    assert "alice reviewed your model Dana Summarizer: 4 out of 5." in message.body
    assert f"http://127.0.0.1:8000/models/dana-summarizer/reviews/{review.pk}/reply/" in message.body
    assert SETTINGS_LINE in message.body
    # The link takes the developer to the review with its reply form.
    alice_client.force_login(dana.user)
    assert "Fast and cheap" in alice_client.get(row.url).content.decode()


def test_a_developer_who_switched_new_review_mails_off_gets_no_mail(
    alice, dana, model, django_capture_on_commit_callbacks
):
    preferences_set(user=dana.user, off=[], mails_off=["new_review"])

    with django_capture_on_commit_callbacks(execute=True):
        review_create(user=alice, model=model, rating=5, title="Great", text="Yes.")

    assert only_notification(dana.user).kind == NotificationKind.NEW_REVIEW
    assert mail.outbox == []


def test_a_developer_cannot_review_their_own_model_so_is_never_told_of_one(dana, model):
    with pytest.raises(ReviewError):
        review_create(user=dana.user, model=model, rating=5, title="Mine", text="Best.")

    assert not Notification.objects.exists()


# --- Rolled back ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "decision",
    ["developer approval", "developer rejection", "model approval", "model rejection", "reply", "new review"],
)
def test_a_rolled_back_decision_writes_nothing_and_mails_nobody(
    decision, alice, bob, django_capture_on_commit_callbacks
):
    waiting = decision.startswith("developer")
    developer = DeveloperFactory(
        status=DeveloperStatus.PENDING_APPROVAL if waiting else DeveloperStatus.ACTIVE
    )
    AIModelFactory(developer=developer, api_name="wes-model", status=ModelStatus.UNDER_REVIEW)
    listed = AIModelFactory(developer=developer)
    review = ModelReviewFactory(model=listed, user=alice)

    def decide():
        mine = Developer.objects.filter(pk=developer.pk)
        if decision == "developer approval":
            services.developers_approve(developers=mine)
        elif decision == "developer rejection":
            services.developers_reject(developers=mine)
        elif decision == "reply":
            reply_save(review=review, developer=developer, text="Thanks.")
        elif decision == "new review":
            review_create(user=bob, model=listed, rating=3, title="Fine", text="Fine.")
        else:
            verb = "approve" if decision == "model approval" else "reject"
            models_decide(models=AIModel.objects.filter(api_name="wes-model"), decision=verb)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        decide()
        assert Notification.objects.count() == 1
        raise Rollback

    assert not Notification.objects.exists()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        decide()
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
