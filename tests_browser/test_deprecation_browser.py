"""A developer deprecates a model with notice and names its replacement; a user who called it is told
(the inbox row and the mail: the inbox page is another piece of work) and reads the notice on the model's
page, before and after the sunset. At 1366 and 390 px."""

from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Notification, NotificationKind
from accounts.tests.factories import PASSWORD, DeveloperFactory, UserFactory
from activity.tests.factories import UserHistoryFactory
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def day(days: int) -> str:
    return (timezone.now().astimezone(UTC).date() + timedelta(days=days)).isoformat()


def test_a_developer_deprecates_a_model_and_its_user_is_told(page, live_server, screenshot):
    dana = DeveloperFactory(username="dana", user__username="dana-login")
    eve = DeveloperFactory(username="eve", user__username="eve-login")
    echo = AIModelFactory(developer=dana, api_name="echo", display_name="Echo", description="Says it back.")
    AIModelFactory(
        developer=eve, api_name="echo-2", display_name="Echo 2", description="Says it back, faster."
    )
    alice = UserFactory(username="alice", email="alice@example.com")
    UserHistoryFactory(user=alice, model=echo)

    # The developer opens the form from the model's dashboard page; too short a notice is explained.
    page.set_viewport_size(DESKTOP)
    sign_in(page, "dana-login")
    page.goto("/dashboard/models/echo/")
    page.get_by_role("link", name="Deprecate…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deprecate Echo")
    page.get_by_label("Sunset date").fill(day(3))
    page.get_by_label("Replacement model").fill("echo")
    page.get_by_role("button", name="Deprecate with this notice").click()
    expect(page.locator(".field-error").first).to_contain_text("1 user called this model")
    expect(page.get_by_text("A model cannot replace itself")).to_be_visible()
    screenshot("deprecation-form-errors-1366")
    page.set_viewport_size(PHONE)
    screenshot("deprecation-form-errors-390")
    assert AIModel.objects.get(pk=echo.pk).status == ModelStatus.ACTIVE

    # A right date, another developer's model as replacement, and a note.
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Sunset date").fill(day(30))
    page.get_by_label("Replacement model").fill("echo-2")
    page.get_by_label("Note to its users").fill("Echo 2 answers the same, faster. Switch any time.")
    page.get_by_role("button", name="Deprecate with this notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Echo")
    expect(page.get_by_text("Its 1 user is being told.")).to_be_visible()
    expect(page.locator("#status-title + p")).to_contain_text(f"it answers until {day(30)}")
    expect(page.get_by_role("button", name="Undo the deprecation")).to_be_visible()
    screenshot("deprecation-dashboard-1366")

    # Alice is told once, in her inbox and by mail.
    notice = Notification.objects.get(user=alice, kind=NotificationKind.MODEL_DEPRECATED)
    title = f"Echo will stop answering on {day(30)}; Echo 2 replaces it"
    assert notice.payload["title"] == title
    assert notice.payload["url"].endswith("/models/echo/")
    assert [(m.to, m.subject) for m in mail.outbox] == [(["alice@example.com"], title)]
    assert "echo-2" in mail.outbox[0].body and "Switch any time." in mail.outbox[0].body

    # Alice reads the notice on the model's page and finds the replacement linked.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "alice")
    page.goto("/models/echo/")
    notice_box = page.locator(".deprecation-notice")
    expect(notice_box).to_contain_text("Deprecated — stops answering on")
    expect(notice_box).to_contain_text("Echo 2 answers the same, faster.")
    expect(page.locator(".playground")).to_contain_text("Deprecated: it stops answering on")
    screenshot("deprecation-model-page-1366")
    page.set_viewport_size(PHONE)
    screenshot("deprecation-model-page-390")

    # The catalog shows the badge until the sunset.
    page.set_viewport_size(DESKTOP)
    page.goto("/models/?q=echo")
    expect(page.locator(".model-card .badge-danger")).to_have_text("Deprecated")
    screenshot("deprecation-catalog-1366")
    page.set_viewport_size(PHONE)
    screenshot("deprecation-catalog-390")

    # After the sunset: the page says to use the replacement, and the playground refuses.
    AIModel.objects.filter(pk=echo.pk).update(sunset_at=timezone.now() - timedelta(minutes=1))
    page.set_viewport_size(DESKTOP)
    page.goto("/models/echo/playground/")  # the page opens on its Overview once the model no longer answers
    expect(page.locator(".deprecation-notice")).to_contain_text("This model no longer answers; use Echo 2")
    expect(page.locator(".playground")).to_contain_text("Use echo-2 instead.")
    screenshot("deprecation-after-sunset-1366")
    page.set_viewport_size(PHONE)
    screenshot("deprecation-after-sunset-390")
    page.locator(".deprecation-notice").get_by_role("link", name="Echo 2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Echo 2")
