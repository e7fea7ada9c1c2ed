"""activity.notices: a deprecated model's users are told once per sunset date, however often the task runs."""

from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification, SentMail
from accounts.notifications import preferences_set
from accounts.tests.factories import UserFactory
from activity import notices
from activity.tasks import notify_model_deprecated
from activity.tests.factories import UserHistoryFactory
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def echo(dana):
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        display_name="Echo",
        status=ModelStatus.DEPRECATED,
        sunset_at=(timezone.now() + timedelta(days=30)).replace(microsecond=0),
    )


def stamp(model) -> str:
    return model.sunset_at.astimezone(UTC).isoformat()


def test_each_user_who_called_it_is_told_once_and_a_repeat_writes_nothing(echo, alice, bob):
    for user in (alice, alice, bob, echo.developer.user):
        UserHistoryFactory(user=user, model=echo)

    assert notify_model_deprecated.delay(str(echo.pk), stamp(echo)).get() == 2
    assert notify_model_deprecated.delay(str(echo.pk), stamp(echo)).get() == 0

    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["alice", "bob"]
    assert len(mail.outbox) == 2
    assert SentMail.objects.filter(template="model_deprecated").count() == 2


def test_users_are_read_in_batches_without_missing_or_repeating_one(echo, monkeypatch):
    monkeypatch.setattr(notices, "NOTICE_BATCH", 2)
    users = [UserFactory() for _ in range(5)]
    for user in users:
        UserHistoryFactory(user=user, model=echo)
    silent = users[0]
    preferences_set(user=silent, off=["model_deprecated"], mails_off=[])

    assert notices.model_deprecation_notify(model_id=echo.pk, sunset_at=stamp(echo)) == 4
    assert notices.model_deprecation_notify(model_id=echo.pk, sunset_at=stamp(echo)) == 0
    assert Notification.objects.count() == 4
    assert not Notification.objects.filter(user=silent).exists()


def test_a_new_sunset_date_is_a_new_notice(echo, alice):
    UserHistoryFactory(user=alice, model=echo)
    notices.model_deprecation_notify(model_id=echo.pk, sunset_at=stamp(echo))
    AIModel.objects.filter(pk=echo.pk).update(sunset_at=echo.sunset_at + timedelta(days=7))
    echo.refresh_from_db()

    assert notices.model_deprecation_notify(model_id=echo.pk, sunset_at=stamp(echo)) == 1
    assert Notification.objects.filter(user=alice).count() == 2


def test_a_stale_task_tells_nobody(echo, alice):
    UserHistoryFactory(user=alice, model=echo)
    told_date = stamp(echo)
    AIModel.objects.filter(pk=echo.pk).update(status=ModelStatus.ACTIVE)  # undone before the task ran

    assert notices.model_deprecation_notify(model_id=echo.pk, sunset_at=told_date) == 0
    assert not Notification.objects.exists()
