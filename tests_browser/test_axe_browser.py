"""axe-core over every page of the site guards (tests/test_site_guards.py ROUTES, with their personas), in
the light and the dark theme, at a desktop's width: no serious or critical violation.

axe-core comes from npm into the git-ignored .data/npm (`make axe`, which `make test` and CI run), pinned in
the Makefile, and is put into the page by these tests only, never served to visitors. Without it the tests
skip with a message, unless REQUIRE_BROWSER=1 (CI), where they fail. A page added to ROUTES is checked
here with no change to this file.
"""

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.theme import COOKIE as THEME_COOKIE
from tests import test_site_guards as guards
from tests.test_site_guards import ROUTES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE = Path(
    os.environ.get("AXE_CORE_PATH", ROOT / ".data" / "npm" / "node_modules" / "axe-core" / "axe.min.js")
)
DESKTOP = {"width": 1366, "height": 900}
THEMES = ("light", "dark")
BLOCKING = {"serious", "critical"}
# The pages every visitor reaches: GET routes that draw a whole page (POSTs and fragments are covered by the
# guards' HTML audit).
PAGES = sorted(name for name, route in ROUTES.items() if route.kind == "page" and route.method == "get")
# The guards' world of personas and rows.
world = guards.world


@pytest.fixture(scope="session")
def axe_source() -> Path:
    if not AXE.exists():
        message = f"axe-core is missing at {AXE}: run `make axe` (npm install --prefix .data/npm axe-core@<pinned>)."
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def url_of(world, name: str) -> str:
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world.objects) if route.kwargs else {})
    data = route.data(world.objects) if route.data else None
    return f"{url}?{urlencode(data)}" if data else url


def session_cookie(user) -> dict | None:
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:8]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(node['target'])}: {summary}")
    return "\n".join(lines)


def serious_violations(page) -> list[dict]:
    results = page.evaluate("""async () => await axe.run(document, {resultTypes: ["violations"]})""")
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_no_serious_accessibility_violation_in_either_theme(
    browser, live_server, transactional_db, world, axe_source, name
):
    url = url_of(world, name)
    cookie = session_cookie(world.personas[ROUTES[name].persona])
    found = {}
    for theme in THEMES:
        # bypass_csp: axe is put into the page as an inline script, which the site's policy refuses.
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=True)
        cookies = [{"name": THEME_COOKIE, "value": theme}] + ([cookie] if cookie else [])
        context.add_cookies([{**c, "url": live_server.url} for c in cookies])
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            response = page.goto(url)
            assert response.status == ROUTES[name].status, f"{url} answered {response.status}"
            assert page.evaluate("document.documentElement.dataset.theme") == theme
            page.add_script_tag(path=str(axe_source))
            violations = serious_violations(page)
        finally:
            context.close()
        if violations:
            found[theme] = describe(violations)
    report = "\n".join(f"--- {name} ({url}), {theme} theme:\n{text}" for theme, text in found.items())
    assert not found, "\n" + report
