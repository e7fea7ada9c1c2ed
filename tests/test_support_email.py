"""SUPPORT_EMAIL: every text that tells its reader to contact support names the address, as a mailto link on
pages, whatever the page (drawn with a request or without, as the 500 and 503 pages are)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import DeveloperStatus, UserStatus
from accounts.tests.factories import DeveloperFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent
ADDRESS = "help@models.example.net"
LINK = f'<a href="mailto:{ADDRESS}">{ADDRESS}</a>'
CONTACT = re.compile(r"contact support|write to support", re.IGNORECASE)
# What may name the address in the source: the template tags, the context processor's value, the setting.
NAMES_THE_ADDRESS = re.compile(r"support_link|support_email|SUPPORT_EMAIL|\{link\}|\{support\}")


@pytest.fixture(autouse=True)
def support_address(settings):
    settings.SUPPORT_EMAIL = ADDRESS


def sources():
    for folder in ("templates", "accounts", "activity", "catalog", "reviews", "dashboard", "core", "demo"):
        for path in (BASE_DIR / folder).rglob("*"):
            if path.suffix not in {".html", ".txt", ".py"} or "tests" in path.parts:
                continue
            yield path


def test_every_contact_support_text_in_the_source_names_the_address():
    missing = []
    found = 0
    for path in sources():
        text = path.read_text()
        for match in CONTACT.finditer(text):
            found += 1
            if not NAMES_THE_ADDRESS.search(text[match.end() : match.end() + 120]):
                missing.append(f"{path.relative_to(BASE_DIR)}: …{text[match.start() : match.end() + 60]!r}")
    assert found >= 8
    assert missing == []


def test_the_server_error_and_busy_pages_name_it_without_a_request():
    assert LINK in render_to_string("500.html", {})
    assert LINK in render_to_string("503.html")


def test_the_forbidden_page_names_it():
    request = RequestFactory().get("/")
    assert LINK in render_to_string("403.html", {}, request=request)


def test_a_suspended_user_signing_in_is_told_the_address(client, db, password):
    UserFactory(username="sus", status=UserStatus.SUSPENDED)
    response = client.post(reverse("accounts:login"), {"username": "sus", "password": password})
    assert LINK in response.content.decode()


def test_the_locked_out_page_names_it(client, db):
    assert LINK in client.get(reverse("accounts:locked_out")).content.decode()


@pytest.mark.parametrize("status", [DeveloperStatus.SUSPENDED, DeveloperStatus.INACTIVE])
def test_a_blocked_developer_is_told_the_address_on_the_application_and_the_dashboard(client, db, status):
    developer = DeveloperFactory(status=status)
    client.force_login(developer.user)
    assert LINK in client.get(reverse("apply:apply")).content.decode()
    assert LINK in client.get(reverse("dashboard:overview")).content.decode()


def test_the_credits_page_and_the_docs_name_it(alice_client):
    assert LINK in alice_client.get(reverse("spending:overview")).content.decode()
    assert LINK in alice_client.get(reverse("docs:index")).content.decode()
    assert LINK in alice_client.get(reverse("docs:limits")).content.decode()
    errors = alice_client.get(reverse("docs:errors")).content.decode()
    assert errors.count(LINK) >= 2  # account_suspended, internal_error


def test_the_notice_to_an_old_address_names_it():
    context = {
        "user": {"username": "alice"},
        "state": "requested",
        "masked_email": "al…@e…e.org",
        "profile_url": "http://testserver/me/",
        "password_url": "http://testserver/accounts/password/change/",
    }
    assert ADDRESS in render_to_string("emails/email_change_notice.txt", context)
    assert LINK in render_to_string("emails/email_change_notice.html", context)


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("https://models.example.com", "support@models.example.com"),
        ("http://127.0.0.1:8000", "support@example.com"),
        ("http://localhost:8000", "support@example.com"),
    ],
)
def test_the_default_address_follows_site_url(site_url, expected):
    env = {**os.environ, "SITE_URL": site_url, "DEBUG": "1", "DATABASE_URL": "postgres:///unused"}
    env.pop("SUPPORT_EMAIL", None)
    done = subprocess.run(
        [sys.executable, "-c", "from config import settings; print(settings.SUPPORT_EMAIL)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=BASE_DIR,
        check=True,
    )
    assert done.stdout.strip() == expected
