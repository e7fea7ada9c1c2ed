"""Security headers on every page, and the HTTPS behaviour of a deployment behind the TLS-ending proxy.

The production values (HSTS, secure cookies, the HTTPS redirect) are read from config/settings.py in a
fresh process with the environment a deployment gives it, then applied here, so the requests below run
with exactly what production computes rather than with values written into the test.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests import test_site_guards as guards
from tests.test_site_guards import ROUTES, World, fetch

BASE_DIR = Path(__file__).resolve().parent.parent
# The guard tests' world of personas and rows, so every named URL is fetched here the same way.
world = guards.world
SECURITY_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "UPSTREAM_PRIVATE_NETWORKS",
)
EXTRA_PAGES = ["/admin/login/", "/api/v1/docs", "/healthz"]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_protective_headers(response) -> None:
    policy = response.get("Content-Security-Policy")
    assert policy, "no Content-Security-Policy header"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    rules = directives(policy)
    assert rules.get("script-src") == ["'self'"], policy
    assert rules.get("style-src") == ["'self'"], policy
    assert rules.get("object-src") == ["'none'"], policy
    assert rules.get("frame-ancestors") == ["'none'"], policy
    assert "Content-Security-Policy-Report-Only" not in response.headers
    assert response.get("X-Content-Type-Options") == "nosniff"
    assert response.get("X-Frame-Options") == "DENY"
    assert response.get("Referrer-Policy") == "same-origin"


@pytest.fixture(scope="module")
def production_security_settings() -> dict:
    """The security settings config/settings.py computes with DEBUG off, from a fresh process."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/unused",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
    }
    script = (
        "import json\n"
        "from config import settings\n"
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def production(settings, production_security_settings):
    """DEBUG off with production's security settings; a new Client builds its middleware from them."""
    settings.DEBUG = False
    for name, value in production_security_settings.items():
        setattr(settings, name, value)
    return Client()


# --- Headers on every page -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_named_url_answers_with_the_protective_headers(client, world: World, name):
    assert_protective_headers(fetch(client, world, name, ROUTES[name]))


@pytest.mark.parametrize("path", EXTRA_PAGES)
def test_the_admin_the_api_docs_and_the_health_check_answer_with_them_too(client, db, path):
    response = client.get(path, follow=True)

    assert response.status_code == 200
    assert_protective_headers(response)


def test_a_not_found_page_answers_with_them_too(client, db):
    response = client.get("/models/no-such-model/")

    assert response.status_code == 404
    assert_protective_headers(response)


# --- Behind the TLS proxy with DEBUG off -----------------------------------------------------------------
def test_production_settings_redirect_to_https_trust_the_proxy_and_set_hsts(production_security_settings):
    values = production_security_settings
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    # Model endpoints at loopback, private or link-local addresses are not called.
    assert values["UPSTREAM_PRIVATE_NETWORKS"] is False


def test_a_plain_http_request_is_redirected_to_https(production, db):
    response = production.get("/models/?q=summarize")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/models/?q=summarize"


def test_a_request_the_proxy_marks_as_https_is_served_with_hsts(production, db):
    response = production.get("/models/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    hsts = response.get("Strict-Transport-Security", "")
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts
    assert_protective_headers(response)


def test_a_forged_forwarded_proto_other_than_https_is_still_redirected(production, db):
    response = production.get("/models/", headers={"X-Forwarded-Proto": "http"})

    assert response.status_code == 301


def test_the_health_check_answers_load_balancers_over_plain_http(production, db):
    response = production.get("/healthz")

    assert response.status_code == 200


def test_the_session_and_csrf_cookies_are_secure(production, alice, password):
    https = {"X-Forwarded-Proto": "https"}
    form = production.get(reverse("accounts:login"), headers=https)
    csrf_cookie = form.cookies["csrftoken"]
    assert csrf_cookie["secure"] is True

    response = production.post(
        reverse("accounts:login"), {"username": "alice", "password": password}, headers=https
    )

    assert response.status_code == 302
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True
