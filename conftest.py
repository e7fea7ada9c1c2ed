"""Shared personas, the demo upstream and the browser fixture for the whole suite.

Personas: `alice` a verified user, `bob` a second verified user, `pat` a user still pending email
verification, `dana` an active developer who owns `model` (an active public model), `eve` another
active developer, `staff` a superuser. Every test runs against real PostgreSQL.
"""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Files that calls carry (activity.media) go to a folder of this run's, not to the checkout's .data/; web
# processes the tests start inherit it.
os.environ.setdefault("CALL_MEDIA_ROOT", tempfile.mkdtemp(prefix="amp-test-call-media-"))

from accounts.tests.factories import PASSWORD, DeveloperFactory, PendingUserFactory, StaffFactory, UserFactory
from activity.tests.helpers import running_upstream
from catalog.tests.factories import AIModelFactory
from demo.upstream import DemoUpstreamServer

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TEST_OUTPUT = Path(__file__).resolve().parent / "test-output"


# Tests that hold this many connections at once (tests/test_concurrency.py: a thread per writer) need a
# bigger pool than a web process does.
TEST_POOL_SIZE = 48


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    from django.db import connections

    connection = connections["default"]
    pool = connection.settings_dict["OPTIONS"].get("pool")
    if pool:
        pool["max_size"] = max(pool["max_size"], TEST_POOL_SIZE)
        connection.close_pool()  # made again, with this size, at the next connection


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing factory passwords with PBKDF2 dominates the suite's time; tests do not need its cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with empty caches (kept rankings, figures and cards must not leak between tests)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _no_anonymous_page_cache(settings):
    """Tests see every write at once; test_anonymous_page_cache.py turns the cache back on."""
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.com")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", email="bob@example.com")


@pytest.fixture
def pat(db):
    return PendingUserFactory(username="pat", email="pat@example.com")


@pytest.fixture
def dana(db):
    return DeveloperFactory(username="dana", user__username="dana-login", email="dana@studio.example.com")


@pytest.fixture
def eve(db):
    return DeveloperFactory(username="eve", user__username="eve-login", email="eve@lab.example.com")


@pytest.fixture
def staff(db):
    return StaffFactory(username="staff", email="staff@example.com")


@pytest.fixture
def model(dana):
    return AIModelFactory(developer=dana, api_name="dana-summarizer", display_name="Dana Summarizer")


@pytest.fixture
def alice_client(client, alice):
    """The test client, signed in as alice."""
    client.force_login(alice)
    return client


@pytest.fixture(scope="module")
def upstream(request) -> Iterator[DemoUpstreamServer]:
    """The demo models (demo/upstream.py) over real HTTP on 127.0.0.1, one server per test module: point a
    model at it with endpoint_url=f"{upstream.url}/echo" (or /summarize, /chat/completions, /fail...).

    A module serves routes of its own by naming them in a module-level UPSTREAM_ROUTES, {path: route}, a
    route being called as route(handler, payload) (DemoUpstreamHandler.extra_routes). `upstream.received`
    starts empty, for routes that keep what they were sent.
    """
    with running_upstream(extra_routes=getattr(request.module, "UPSTREAM_ROUTES", None)) as server:
        server.received = []
        yield server


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a browser Playwright downloads itself."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required for browser tests but {CHROMIUM} is missing.")
        pytest.skip(f"Browser tests need Chromium at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Call screenshot("name") to save the current page under test-output/screenshots/."""

    def take(name: str) -> Path:
        folder = TEST_OUTPUT / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    return take


@pytest.fixture
def needs_pg_trgm(db):
    """Tests of the trigram indexes: the embedded PostgreSQL of `make test` on a fresh laptop ships without
    pg_trgm (contrib), so they skip there with a message; CI (REQUIRE_PG_TOOLS) requires them."""
    from core.db import has_extension

    if not has_extension("pg_trgm"):
        message = "pg_trgm is not installed on this PostgreSQL (the embedded server ships without contrib)."
        if os.environ.get("REQUIRE_PG_TOOLS"):
            pytest.fail(f"{message} It is required here (REQUIRE_PG_TOOLS).")
        pytest.skip(message)
