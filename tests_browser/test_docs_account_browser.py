"""A developer reads the docs (quickstart, errors, the explorer and back); a user changes their email address
from the profile to the link in the mail."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def both_sizes(page, screenshot, name: str) -> None:
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        screenshot(f"{name}-{label}")
    page.set_viewport_size(DESKTOP)


def test_a_developer_reads_the_quickstart_and_visits_the_explorer(page, live_server, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto("/docs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Developer documentation")
    docs_nav = page.get_by_role("navigation", name="Documentation")
    docs_nav.get_by_role("link", name="Quickstart").click()

    expect(page).to_have_url(f"{live_server.url}/docs/quickstart/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quickstart")
    expect(docs_nav.get_by_role("link", name="Quickstart")).to_have_attribute("aria-current", "page")
    python = page.locator('code[data-example="python-client"]')
    expect(python).to_contain_text(f'base_url="{live_server.url}/api/v1"')
    expect(page.locator('code[data-example="curl-invoke"]')).to_contain_text(
        f"curl {live_server.url}/api/v1/"
    )
    both_sizes(page, screenshot, "docs-quickstart")

    page.get_by_role("link", name="Link to this section: 4. Stream the answer").click()
    expect(page).to_have_url(f"{live_server.url}/docs/quickstart/#streaming")

    page.get_by_role("navigation", name="Previous and next page").get_by_role(
        "link", name="Next Errors"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Errors")
    expect(page.locator("tr#quota_exceeded")).to_contain_text("429")
    both_sizes(page, screenshot, "docs-errors")

    docs_nav.get_by_role("link", name="API reference (OpenAPI explorer)").click()
    expect(page).to_have_url(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui")).to_be_visible()
    expect(page.get_by_text("AI Model Platform API").first).to_be_visible()

    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/docs/errors/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Errors")


def test_a_user_changes_their_email_address_through_the_mailed_link(
    page, live_server, screenshot, alice, password
):
    page.set_viewport_size(DESKTOP)
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="alice")).to_be_visible()
    page.goto("/me/")

    page.get_by_role("link", name="Change email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your email address")
    page.get_by_label("New email address").fill("alice@example.com")
    page.get_by_label("Your current password").fill("not it")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("That is already your address.")).to_be_visible()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    both_sizes(page, screenshot, "email-change-errors")

    page.get_by_label("New email address").fill("alice.new@example.org")
    page.get_by_label("Your current password").fill(password)
    page.get_by_role("button", name="Send the link").click()
    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(page.locator(".messages")).to_contain_text("We sent a link to alice.new@example.org")
    expect(page.get_by_text("Changing to alice.new@example.org")).to_be_visible()
    both_sizes(page, screenshot, "email-change-pending")

    to_new = [message for message in mail.outbox if message.to == ["alice.new@example.org"]]
    to_old = [message for message in mail.outbox if message.to == ["alice@example.com"]]
    assert len(to_new) == 1 and len(to_old) == 1
    assert "alice.new@example.org" not in to_old[0].body
    link = re.search(r"https?://\S+/accounts/email/confirm/\S+/", to_new[0].body).group(0)
    assert link.startswith(live_server.url)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Make alice.new@example.org your address?")
    both_sizes(page, screenshot, "email-change-confirm")
    page.get_by_role("button", name="Use this address").click()

    expect(page).to_have_url(f"{live_server.url}/me/")
    expect(page.locator(".messages")).to_contain_text("Your email address is now alice.new@example.org")
    expect(page.get_by_text("Changing to")).to_have_count(0)
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.org" and alice.email_verified
    assert User.objects.filter(email__iexact="alice@example.com").count() == 0
    assert len([m for m in mail.outbox if m.to == ["alice@example.com"]]) == 2

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
