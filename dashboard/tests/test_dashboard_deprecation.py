"""Deprecating a model with notice from the dashboard: the form's rules, the change of date, the undo, and
the notice its users get."""

from datetime import UTC, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, NotificationKind
from activity.tests.factories import UserHistoryFactory
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from dashboard.forms import MIN_NOTICE_DAYS

pytestmark = pytest.mark.django_db


def url(name, model):
    return reverse(f"dashboard:{name}", args=[model.api_name])


def day(days: int) -> str:
    return (timezone.now().astimezone(UTC).date() + timedelta(days=days)).isoformat()


def errors_of(response) -> dict:
    return response.context["form"].errors


@pytest.fixture
def echo(dana):
    return AIModelFactory(developer=dana, api_name="echo", display_name="Echo")


@pytest.fixture
def echo_two(eve):
    return AIModelFactory(developer=eve, api_name="echo-2", display_name="Echo 2")


@pytest.fixture
def callers(echo, alice, bob):
    """Alice and bob called Echo; so did its own developer, in the playground."""
    for user in (alice, bob, echo.developer.user):
        UserHistoryFactory(user=user, model=echo)
    return [alice, bob]


def test_the_form_page_asks_for_a_date_a_replacement_and_a_note(signed_in, echo, callers):
    response = signed_in.get(url("model_deprecate", echo))
    html = response.content.decode()

    assert response.status_code == 200
    assert 'type="date"' in html and f'min="{day(MIN_NOTICE_DAYS)}"' in html
    assert 'for="id_replacement"' in html and 'for="id_note"' in html
    assert "2 users called it" in html


def test_a_date_in_the_past_is_refused(signed_in, echo):
    response = signed_in.post(url("model_deprecate", echo), {"sunset_date": day(-1)})

    assert "Choose a date in the future" in errors_of(response)["sunset_date"][0]
    echo.refresh_from_db()
    assert echo.status == ModelStatus.ACTIVE


def test_today_is_refused_too(signed_in, echo):
    response = signed_in.post(url("model_deprecate", echo), {"sunset_date": day(0)})

    assert "Choose a date in the future" in errors_of(response)["sunset_date"][0]


def test_a_model_with_users_gets_at_least_a_weeks_notice(signed_in, echo, callers):
    response = signed_in.post(url("model_deprecate", echo), {"sunset_date": day(MIN_NOTICE_DAYS - 1)})

    message = errors_of(response)["sunset_date"][0]
    assert "2 users called this model" in message and day(MIN_NOTICE_DAYS) in message
    assert AIModel.objects.get(pk=echo.pk).status == ModelStatus.ACTIVE


def test_a_model_nobody_else_called_may_stop_tomorrow(signed_in, echo):
    UserHistoryFactory(user=echo.developer.user, model=echo)  # its developer's own calls do not count

    response = signed_in.post(url("model_deprecate", echo), {"sunset_date": day(1)})

    assert response.status_code == 302
    assert AIModel.objects.get(pk=echo.pk).status == ModelStatus.DEPRECATED


def test_the_model_itself_is_refused_as_its_replacement(signed_in, echo):
    response = signed_in.post(url("model_deprecate", echo), {"sunset_date": day(30), "replacement": "echo"})

    assert "cannot replace itself" in errors_of(response)["replacement"][0]


def test_a_deprecated_replacement_is_refused(signed_in, echo, eve):
    AIModelFactory(
        developer=eve,
        api_name="fading",
        status=ModelStatus.DEPRECATED,
        sunset_at=timezone.now() + timedelta(days=9),
    )

    response = signed_in.post(url("model_deprecate", echo), {"sunset_date": day(30), "replacement": "fading"})

    assert "deprecated itself" in errors_of(response)["replacement"][0]


@pytest.mark.parametrize("status", [ModelStatus.INACTIVE, ModelStatus.UNDER_REVIEW])
def test_a_model_not_in_the_catalog_is_refused_as_replacement(signed_in, echo, eve, status):
    AIModelFactory(developer=eve, api_name="hidden", status=status)

    response = signed_in.post(url("model_deprecate", echo), {"sunset_date": day(30), "replacement": "hidden"})

    assert "No model of the catalog" in errors_of(response)["replacement"][0]


def test_deprecating_with_a_replacement_tells_every_user_once(
    signed_in, echo, echo_two, callers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            url("model_deprecate", echo),
            {"sunset_date": day(30), "replacement": "echo-2", "note": "Echo 2 is faster."},
        )

    assert response.status_code == 302
    echo.refresh_from_db()
    assert echo.status == ModelStatus.DEPRECATED and echo.replacement == echo_two
    assert echo.sunset_at.date().isoformat() == day(30) and echo.deprecated_at is not None
    assert echo.deprecation_note == "Echo 2 is faster."
    assert AIModel.objects.public().filter(pk=echo.pk).exists()  # still listed until the sunset
    notices = Notification.objects.filter(kind=NotificationKind.MODEL_DEPRECATED)
    assert sorted(n.user.username for n in notices) == ["alice", "bob"]
    title = f"Echo will stop answering on {day(30)}; Echo 2 replaces it"
    assert {n.payload["title"] for n in notices} == {title}
    assert notices[0].payload["url"].endswith("/models/echo/")
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]
    assert mail.outbox[0].subject == title and "echo-2" in mail.outbox[0].body
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Its 2 users are being told" in text for text in messages)


def test_the_date_moves_only_later_and_users_hear_of_the_new_one(
    signed_in, echo, callers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(url("model_deprecate", echo), {"sunset_date": day(30)})
    page = signed_in.get(url("model_deprecate", echo)).content.decode()
    assert "Change the deprecation of Echo" in page and f'value="{day(30)}"' in page

    earlier = signed_in.post(url("model_deprecate", echo), {"sunset_date": day(20)})
    assert "can only move later" in errors_of(earlier)["sunset_date"][0]

    with django_capture_on_commit_callbacks(execute=True):
        later = signed_in.post(url("model_deprecate", echo), {"sunset_date": day(60)})
    assert later.status_code == 302
    echo.refresh_from_db()
    assert echo.sunset_at.date().isoformat() == day(60)
    assert Notification.objects.filter(user__in=callers).count() == 4  # one per user per date


def test_the_deprecation_can_be_undone_before_the_sunset(signed_in, echo, echo_two):
    signed_in.post(url("model_deprecate", echo), {"sunset_date": day(30), "replacement": "echo-2"})

    response = signed_in.post(url("model_undeprecate", echo))

    assert response.status_code == 302
    echo.refresh_from_db()
    assert echo.status == ModelStatus.ACTIVE
    assert (echo.sunset_at, echo.replacement, echo.deprecated_at, echo.deprecation_note) == (
        None,
        None,
        None,
        "",
    )


def test_after_the_sunset_it_cannot_be_undone_nor_moved(signed_in, echo):
    signed_in.post(url("model_deprecate", echo), {"sunset_date": day(30)})
    AIModel.objects.filter(pk=echo.pk).update(sunset_at=timezone.now() - timedelta(minutes=1))

    undo = signed_in.post(url("model_undeprecate", echo))
    move = signed_in.post(url("model_deprecate", echo), {"sunset_date": day(60)})

    assert any("still ahead" in str(m) for m in get_messages(undo.wsgi_request))
    assert move.status_code == 302
    assert AIModel.objects.get(pk=echo.pk).status == ModelStatus.DEPRECATED


def test_the_model_page_of_the_dashboard_offers_the_change_and_the_undo(signed_in, echo):
    signed_in.post(url("model_deprecate", echo), {"sunset_date": day(30)})

    html = signed_in.get(url("model_detail", echo)).content.decode()

    assert f"it answers until {day(30)}" in html
    assert url("model_undeprecate", echo) in html and "Change the sunset" in html
