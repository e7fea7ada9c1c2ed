"""Notifications in the browser: staff approve a model and its developer finds it behind the header's
badge; a reviewer switches reply mails off and the next reply reaches the inbox only."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Notification
from accounts.tests.factories import PASSWORD, DeveloperFactory, StaffFactory, UserFactory
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def new_page(browser, live_server):
    page = browser.new_context(base_url=live_server.url, viewport=DESKTOP).new_page()
    page.set_default_timeout(10_000)
    return page


def test_staff_approve_a_model_and_its_developer_follows_the_badge_to_it(
    page, browser, live_server, screenshot
):
    StaffFactory(username="root", email="root@example.com")
    dana = DeveloperFactory(username="ada-labs", user__username="ada", email="ada@lab.example.com")
    model = AIModelFactory(
        developer=dana, api_name="echo", display_name="Echo", status=ModelStatus.UNDER_REVIEW
    )
    page.set_viewport_size(DESKTOP)
    sign_in(page, "ada")
    inbox_link = page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Inbox"))
    expect(inbox_link).to_have_text("Inbox")  # nothing unread, no badge

    staff = new_page(browser, live_server)
    sign_in(staff, "root")
    staff.goto("/admin/catalog/aimodel/")
    staff.locator(f'input[name="_selected_action"][value="{model.pk}"]').check()
    staff.locator('select[name="action"]').select_option("approve_models")
    staff.locator('button[name="index"]').click()
    expect(staff.locator(".messagelist")).to_contain_text("approved")
    assert AIModel.objects.get(pk=model.pk).status == ModelStatus.ACTIVE
    assert [message.to for message in mail.outbox] == [["ada@lab.example.com"]]

    page.reload()
    expect(inbox_link).to_have_text("Inbox 1 unread")
    expect(page.locator(".nav-badge")).to_be_visible()
    inbox_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    item = page.locator(".inbox-item").first
    expect(item).to_contain_text("New")
    expect(item).to_contain_text("Your model Echo was approved")
    expect(item).to_contain_text("My model is approved or rejected")
    screenshot("notifications-inbox-1366")
    page.set_viewport_size(PHONE)
    screenshot("notifications-inbox-390")
    page.set_viewport_size(DESKTOP)

    item.get_by_role("link", name="Your model Echo was approved").click()
    expect(page).to_have_url(re.compile(r"/models/echo/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Echo")
    expect(inbox_link).to_have_text("Inbox")
    assert Notification.objects.get(user=dana.user).read_at is not None

    page.go_back()
    page.reload()
    expect(page.locator(".inbox-item").first).not_to_contain_text("New")
    expect(page.locator(".inbox-item").first).to_contain_text("read")
    expect(page.locator(".inbox-summary")).to_have_text("Nothing unread")
    staff.context.close()


def test_a_reviewer_switches_reply_mails_off_and_the_next_reply_reaches_the_inbox_only(
    page, browser, live_server, screenshot
):
    alice = UserFactory(username="alice", email="alice@example.com")
    dana = DeveloperFactory(username="ada-labs", company_name="Ada Labs", user__username="ada")
    model = AIModelFactory(developer=dana, api_name="echo", display_name="Echo")
    review = ModelReviewFactory(model=model, user=alice, rating=4, review_title="Fast and cheap")

    page.set_viewport_size(DESKTOP)
    sign_in(page, "alice")
    page.goto("/me/")
    page.get_by_role("link", name="Notification settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    by_mail = page.get_by_label("A developer replies to my review: by mail")
    on_site = page.get_by_label("A developer replies to my review: on the site")
    expect(by_mail).to_be_checked()
    expect(on_site).to_be_checked()
    by_mail.uncheck()
    screenshot("notifications-settings-1366")
    page.set_viewport_size(PHONE)
    screenshot("notifications-settings-390")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Your notification settings are saved.")
    expect(page.get_by_label("A developer replies to my review: by mail")).not_to_be_checked()
    expect(page.get_by_label("A developer replies to my review: on the site")).to_be_checked()
    alice.refresh_from_db()
    assert alice.notification_mails_off == ["review_reply"]

    developer = new_page(browser, live_server)
    sign_in(developer, "ada")
    developer.goto(f"/models/echo/reviews/{review.pk}/reply/")
    developer.get_by_label(re.compile("reply", re.I)).fill("Thanks! Version 2 is faster still.")
    developer.get_by_role("button", name=re.compile("reply", re.I)).click()
    expect(developer.locator(".messages")).to_contain_text("Your reply is published")

    assert [message.to for message in mail.outbox] == []  # nothing mailed to alice
    page.goto("/models/")
    expect(page.locator(".nav-badge")).to_have_text("1 unread")
    page.get_by_role("link", name=re.compile("^Inbox")).click()
    link = page.get_by_role("link", name="Ada Labs replied to your review of Echo")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(rf"/models/echo/reviews/#review-{review.pk}$"))
    expect(page.locator(f"#review-{review.pk}")).to_contain_text("Version 2 is faster still.")
    developer.context.close()
