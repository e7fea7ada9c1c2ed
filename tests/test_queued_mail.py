"""Every mail goes through the task queue (accounts.mail → accounts.tasks.send_templated_mail). With no
broker, as here, the task runs in the process once the transaction that asked for it commits: the mail is in
the outbox after the commit, a rolled-back transaction sends nothing, and one key sends one mail however
often the task runs. The worker against a real Redis is tests/test_task_queue.py."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.mail import mail_send
from accounts.models import Developer, DeveloperStatus, SentMail, User
from accounts.tasks import prune_sent_mails, send_templated_mail
from accounts.tests.factories import DeveloperFactory
from catalog.models import AIModel, ModelStatus
from catalog.services import models_decide
from catalog.tests.factories import AIModelFactory
from config import celery_app
from reviews.services import reply_save
from reviews.tests.factories import ModelReviewFactory
from tests.test_admin_actions import run_action

STRONG = "violet-harbour-lantern-42"


class Rollback(Exception):
    pass


def test_with_no_broker_tasks_run_in_the_process():
    assert settings.CELERY_BROKER_URL == ""
    assert celery_app.conf.task_always_eager is True
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.accept_content == ["json"]


@pytest.mark.django_db(transaction=True)
def test_signing_up_mails_the_link_after_the_commit():
    with transaction.atomic():
        services.user_signup(username="quinn", email="quinn@example.com", password=STRONG)
        assert mail.outbox == []  # not before the commit

    assert [message.to for message in mail.outbox] == [["quinn@example.com"]]
    assert mail.outbox[0].subject == "Confirm your email address for AI Model Platform"
    assert "Hello quinn," in mail.outbox[0].body
    assert "/accounts/verify/" in mail.outbox[0].alternatives[0][0]
    assert SentMail.objects.filter(template="verify_email").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_sign_up_rolled_back_sends_nothing():
    with pytest.raises(Rollback), transaction.atomic():
        services.user_signup(username="quinn", email="quinn@example.com", password=STRONG)
        raise Rollback

    assert mail.outbox == []
    assert not User.objects.filter(username="quinn").exists()
    assert not SentMail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_is_mailed_by_the_queue(client, alice):
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})

    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    assert "/accounts/password/reset/" in mail.outbox[0].body
    assert "Hello alice," in mail.outbox[0].body
    assert SentMail.objects.filter(template="password_reset").count() == 1


def test_approving_developers_mails_each_one_approved(staff_client, django_capture_on_commit_callbacks, dana):
    waiting = DeveloperFactory(status=DeveloperStatus.PENDING_APPROVAL, email="wes@lab.example.com")

    with django_capture_on_commit_callbacks(execute=True):
        run_action(staff_client, Developer, "approve_developers", [waiting, dana])

    assert [message.to for message in mail.outbox] == [["wes@lab.example.com"]]  # dana was active already
    assert mail.outbox[0].subject == "Your AI Model Platform developer account is active"
    assert "http://127.0.0.1:8000/dashboard/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("action", "subject", "link"),
    [
        (
            "approve_models",
            "Dana Summarizer is approved and live on AI Model Platform",
            "/models/dana-summarizer/",
        ),
        (
            "reject_models",
            "Dana Summarizer was not approved on AI Model Platform",
            "/dashboard/models/dana-summarizer/",
        ),
    ],
)
def test_deciding_on_a_model_mails_its_developer(
    staff_client, django_capture_on_commit_callbacks, dana, action, subject, link
):
    AIModelFactory(
        developer=dana,
        api_name="dana-summarizer",
        display_name="Dana Summarizer",
        status=ModelStatus.UNDER_REVIEW,
    )

    with django_capture_on_commit_callbacks(execute=True):
        run_action(staff_client, AIModel, action, AIModel.objects.all())

    assert [message.to for message in mail.outbox] == [["dana@studio.example.com"]]
    assert mail.outbox[0].subject == subject
    assert f"http://127.0.0.1:8000{link}" in mail.outbox[0].body


def test_a_model_decision_that_changes_nothing_mails_nobody(
    staff_client, django_capture_on_commit_callbacks, model
):
    with django_capture_on_commit_callbacks(execute=True):
        run_action(staff_client, AIModel, "approve_models", [model])  # active already

    assert mail.outbox == []


def test_a_developers_first_reply_mails_the_reviewer_and_an_edit_does_not(
    django_capture_on_commit_callbacks, dana, model, alice
):
    review = ModelReviewFactory(model=model, user=alice, review_title="Fast & tidy")

    with django_capture_on_commit_callbacks(execute=True):
        reply_save(review=review, developer=dana, text="Thanks!\nVersion 2 is out.")
    with django_capture_on_commit_callbacks(execute=True):
        reply_save(review=review, developer=dana, text="Thanks! Version 3 is out.")

    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    message = mail.outbox[0]
    assert message.subject == "The developer of Dana Summarizer replied to your review"
    assert 'your review "Fast & tidy"' in message.body
    assert "Thanks!\nVersion 2 is out." in message.body
    assert f"/models/dana-summarizer/reviews/#review-{review.pk}" in message.body
    html = message.alternatives[0][0]
    assert "Fast &amp; tidy" in html
    assert "Thanks!<br>Version 2 is out." in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("decision", ["developer approval", "model approval", "model rejection", "reply"])
def test_a_decision_rolled_back_mails_nobody_and_one_committed_mails_after_the_commit(decision, alice):
    waiting = decision == "developer approval"
    developer = DeveloperFactory(
        status=DeveloperStatus.PENDING_APPROVAL if waiting else DeveloperStatus.ACTIVE,
        email="wes@lab.example.com",
    )
    AIModelFactory(developer=developer, api_name="wes-model", status=ModelStatus.UNDER_REVIEW)
    review = ModelReviewFactory(model=AIModelFactory(developer=developer), user=alice)

    def decide():
        if decision == "developer approval":
            services.developers_approve(developers=Developer.objects.filter(pk=developer.pk))
        elif decision == "reply":
            reply_save(review=review, developer=developer, text="Thanks.")
        else:
            verb = "approve" if decision == "model approval" else "reject"
            models_decide(models=AIModel.objects.filter(api_name="wes-model"), decision=verb)

    with pytest.raises(Rollback), transaction.atomic():
        decide()
        raise Rollback
    assert mail.outbox == []

    with transaction.atomic():
        decide()
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com" if decision == "reply" else "wes@lab.example.com"]


def test_one_key_sends_one_mail_however_often_the_task_runs(db):
    message = {
        "mail_id": str(uuid.uuid4()),
        "template": "verify_email",
        "to": ["quinn@example.com"],
        "context": {"user": {"username": "quinn"}, "verify_url": "http://x/verify/t/", "expiry_days": 3},
    }

    first = send_templated_mail.apply(kwargs=message)
    second = send_templated_mail.apply(kwargs=message)
    other = send_templated_mail.apply(kwargs={**message, "mail_id": str(uuid.uuid4())})

    assert (first.get(), second.get(), other.get()) == (True, False, True)
    assert len(mail.outbox) == 2


def test_a_mail_server_that_fails_leaves_the_key_free_for_the_next_run(db, settings, unused_port):
    message = {
        "mail_id": str(uuid.uuid4()),
        "template": "verify_email",
        "to": ["quinn@example.com"],
        "context": {"user": {"username": "quinn"}, "verify_url": "http://x/verify/t/", "expiry_days": 3},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", unused_port, 2

    failed = send_templated_mail.apply(kwargs=message)

    assert failed.failed() and isinstance(failed.result, ConnectionRefusedError)
    assert not SentMail.objects.filter(mail_id=message["mail_id"]).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_templated_mail.apply(kwargs=message).get() is True
    assert len(mail.outbox) == 1


def test_only_plain_values_travel_in_the_queue(db, alice):
    with pytest.raises(TypeError):
        mail_send(to="alice@example.com", template="verify_email", context={"user": alice})


def test_sent_mail_keys_are_kept_a_week(db):
    old, recent = SentMail.objects.create(template="old"), SentMail.objects.create(template="recent")
    SentMail.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))

    assert prune_sent_mails.apply().get() == 1
    assert list(SentMail.objects.values_list("template", flat=True)) == ["recent"]
    assert recent.pk


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
