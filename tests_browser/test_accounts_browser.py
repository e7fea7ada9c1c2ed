"""A newcomer signs up, follows the link from the mail and lands verified."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User, UserStatus

pytestmark = pytest.mark.browser

PASSWORD = "amber-falcon-river-93"


def test_a_newcomer_signs_up_and_verifies_their_email(page, live_server, screenshot):
    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    user = User.objects.get(username="newcomer")
    assert user.status == UserStatus.PENDING_VERIFICATION

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Is newcomer@example.com yours?")
    user.refresh_from_db()
    assert not user.email_verified  # opening the link confirms nothing
    page.get_by_role("button", name="Confirm my email address").click()

    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(page.get_by_role("status")).to_contain_text("newcomer@example.com is confirmed")
    expect(page.get_by_text("Verified", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Confirm your email address")).to_have_count(0)
    user.refresh_from_db()
    assert user.email_verified and user.status == UserStatus.ACTIVE
    screenshot("accounts-newcomer-verified")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link was already used")
