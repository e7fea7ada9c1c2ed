"""The API docs page renders Swagger UI under the site's CSP, with every asset from the site itself."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_every_endpoint_without_csp_violations(page, live_server, screenshot):
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    outside: list[str] = []
    page.on("request", lambda request: request.url.startswith(live_server.url) or outside.append(request.url))

    page.goto("/api/v1/docs")

    for path in [
        "/api/v1/models/{api_name}/invoke",
        "/api/v1/chat/completions",
        "/api/v1/key",
        "/api/v1/models",
    ]:
        expect(page.locator(".opblock-summary-path", has_text=path).first).to_be_visible()
    screenshot("api-docs")
    assert not [text for text in problems if "Content Security Policy" in text or "Refused" in text], problems
    assert outside == []
