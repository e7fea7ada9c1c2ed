"""accounts.notifications: the inbox rows and their mails, and the preferences that switch a kind off."""

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction

from accounts.models import Notification, NotificationKind, User
from accounts.notifications import Message, mark_read, notify, notify_many, preferences_set, unread_count
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def message(**changes) -> Message:
    values = {
        "kind": NotificationKind.REVIEW_REPLY,
        "title": "Ada Labs replied to your review of Echo",
        "url": "/models/echo/#review-1",
        "payload": {"api_name": "echo"},
        "mail_template": "review_reply",
        "mail_context": {
            "user": {"username": "reader"},
            "model_name": "Echo",
            "review_title": "Quick",
            "reply_text": "Thanks!",
            "review_url": "http://testserver/models/echo/#review-1",
        },
    }
    return Message(**{**values, **changes})


def test_a_notification_is_kept_and_mailed_once_the_transaction_commits(django_capture_on_commit_callbacks):
    user = UserFactory(email="reader@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        sent = notify(user_id=user.pk, message=message())
    assert sent is not None
    row = Notification.objects.get(pk=sent.pk)
    assert row.kind == "review_reply"
    assert row.payload == {"api_name": "echo", "title": message().title, "url": message().url}
    assert row.is_unread and unread_count(user) == 1
    assert [m.to for m in mail.outbox] == [["reader@example.com"]]


def test_a_rolled_back_decision_tells_nobody(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify(user_id=user.pk, message=message())
        raise RuntimeError
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_kind_switched_off_keeps_nothing_and_mails_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    preferences_set(user=user, off=["review_reply"], mails_off=[])
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(user_id=user.pk, message=message()) is None
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_kind_switched_off_by_mail_stays_in_the_inbox(django_capture_on_commit_callbacks):
    user = UserFactory()
    preferences_set(user=user, off=[], mails_off=["review_reply"])
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(user_id=user.pk, message=message()) is not None
    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_many_users_are_told_once_each_and_a_developers_mail_goes_to_the_given_address(
    django_capture_on_commit_callbacks,
):
    first, second, silent = UserFactory(), UserFactory(), UserFactory()
    preferences_set(user=silent, off=["model_deprecated"], mails_off=[])
    kind = message(kind=NotificationKind.MODEL_DEPRECATED)
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify_many(
            user_ids=[first.pk, second.pk, first.pk, silent.pk],
            message=kind,
            mail_to={second.pk: "team@example.com"},
        )
    assert sorted(row.user_id for row in rows) == sorted([first.pk, second.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, "team@example.com"])


def test_marking_read_touches_only_the_users_own_rows():
    user, other = UserFactory(), UserFactory()
    mine = notify(user_id=user.pk, message=message(mail_template=None))
    theirs = notify(user_id=other.pk, message=message(mail_template=None))
    assert mark_read(user=user, notification_ids=[mine.pk, theirs.pk]) == 1
    assert unread_count(user) == 0 and unread_count(other) == 1
    assert mark_read(user=other) == 1


def test_the_database_refuses_unknown_kinds_and_payloads_without_title_or_url():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=user, kind="gossip", payload={"title": "x", "url": "/"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=user, kind="review_reply", payload={"title": "x"})
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(notifications_off=["gossip"])


def test_plain_sql_rows_get_defaults_and_go_with_their_user():
    user = UserFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO notifications (user_id, kind, payload) VALUES (%s, 'new_review', "
            """'{"title": "t", "url": "/"}') RETURNING notification_id, read_at, created_at""",
            [user.pk],
        )
        pk, read_at, created_at = cursor.fetchone()
        assert pk and read_at is None and created_at
        cursor.execute(
            "SELECT notifications_off, notification_mails_off FROM users WHERE user_id = %s", [user.pk]
        )
        assert cursor.fetchone() == ([], [])
        cursor.execute("DELETE FROM users WHERE user_id = %s", [user.pk])
    assert not Notification.objects.exists()
