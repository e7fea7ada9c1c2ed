"""The developer docs under /docs/: the pages, their navigation, the address their examples call, the errors
table against the gateway's own codes, and the examples themselves run against a live server."""

import html
import json
import os
import re
import subprocess
import threading
from decimal import Decimal
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from django.urls import reverse

from activity.gateway.errors import ERROR_CODES
from activity.models import UserHistory
from activity.views.docs import ERROR_ADVICE, PAGES
from catalog.tests.factories import AIModelFactory

BASE_DIR = Path(__file__).resolve().parents[2]
CODE_BLOCK = re.compile(r'<code[^>]*data-example="([^"]+)"[^>]*>(.*?)</code>', re.DOTALL)


def examples(page_html: str) -> dict[str, str]:
    """The page's runnable examples, by their data-example name, as a reader copies them."""
    return {name: html.unescape(code) for name, code in CODE_BLOCK.findall(page_html)}


# --- The pages and their navigation ----------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_page_is_in_the_site_layout_with_the_side_navigation(client, db, page):
    response = client.get(page.url)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="site-header"' in body  # templates/base.html
    for other in PAGES:
        assert f'href="{other.url}"' in body
    assert f'href="{page.url}" aria-current="page"' in body


def test_previous_and_next_follow_the_reading_order(client, db):
    for index, page in enumerate(PAGES):
        body = client.get(page.url).content.decode()
        if index > 0:
            assert f'href="{PAGES[index - 1].url}" rel="prev"' in body
        else:
            assert 'rel="prev"' not in body
        if index + 1 < len(PAGES):
            assert f'href="{PAGES[index + 1].url}" rel="next"' in body
        else:
            assert 'rel="next"' not in body


def test_headings_have_anchors_that_link_to_themselves(client, db):
    body = client.get(reverse("docs:quickstart")).content.decode()
    for anchor in ("key", "curl", "python", "streaming", "media"):
        assert f'<h2 id="{anchor}">' in body
        assert f'href="#{anchor}"' in body


def test_the_index_links_to_the_openapi_explorer(client, db):
    body = client.get(reverse("docs:index")).content.decode()
    assert 'href="/api/v1/docs"' in body
    assert client.get("/api/v1/docs").status_code == 200


def test_the_examples_call_the_address_the_page_was_asked_at(client, db, settings):
    settings.ALLOWED_HOSTS = ["docs.example.org"]
    plain = client.get(reverse("docs:quickstart"), HTTP_HOST="docs.example.org").content.decode()
    secure = client.get(
        reverse("docs:quickstart"), HTTP_HOST="docs.example.org", secure=True
    ).content.decode()

    assert 'base_url="http://docs.example.org/api/v1"' in html.unescape(plain)
    assert "curl http://docs.example.org/api/v1/models/demo-summarizer/invoke" in html.unescape(plain)
    assert 'base_url="https://docs.example.org/api/v1"' in html.unescape(secure)
    assert "127.0.0.1" not in plain


def test_no_docs_template_names_a_host():
    for template in (BASE_DIR / "templates" / "docs").glob("*.html"):
        text = template.read_text()
        assert "127.0.0.1" not in text and "localhost" not in text, template.name


def test_the_pages_stay_within_a_small_query_budget(client, db, django_assert_max_num_queries):
    for page in PAGES:
        with django_assert_max_num_queries(2):
            assert client.get(page.url).status_code == 200


# --- The errors table --------------------------------------------------------------------------------------
def emitted_codes() -> set[str]:
    """Every error code the gateway's code can answer with: error("…") and GatewayError(code="…") in the
    application's Python (tests aside), and the refusals gateway_reserve raises in SQL."""
    codes: set[str] = set()
    call = re.compile(r'\berror\(\s*"([a-z_]+)"')
    direct = re.compile(r'GatewayError\([^)]*code="([a-z_]+)"', re.DOTALL)
    for path in (BASE_DIR / "activity").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        codes |= set(call.findall(text)) | set(direct.findall(text))
    sql = (BASE_DIR / "activity" / "sql" / "functions" / "gateway_reserve.sql").read_text()
    codes |= set(re.findall(r"MESSAGE = '([a-z_]+)'", sql))
    return codes


def test_every_code_the_gateway_emits_is_in_its_list_of_codes():
    emitted = emitted_codes()
    assert {"quota_exceeded", "invalid_json", "upstream_timeout", "key_limit_reached"} <= emitted
    assert emitted - set(ERROR_CODES) == set()


def test_every_code_has_advice_and_no_advice_is_for_a_code_that_is_gone():
    assert set(ERROR_ADVICE) == set(ERROR_CODES)
    assert all(advice.strip() for advice in ERROR_ADVICE.values())


def test_the_errors_page_has_a_row_for_every_code_with_its_status_meaning_and_advice(client, db, settings):
    body = client.get(reverse("docs:errors")).content.decode()
    rows = dict(re.findall(r'<tr id="([a-z_]+)">(.*?)</tr>', body, re.DOTALL))

    assert set(rows) == set(ERROR_CODES) | emitted_codes()
    for code, (status, meaning) in ERROR_CODES.items():
        row = html.unescape(rows[code])
        assert f'<td data-label="Status">{status}</td>' in row
        assert meaning in row
        link = f'<a href="mailto:{settings.SUPPORT_EMAIL}">{settings.SUPPORT_EMAIL}</a>'
        assert ERROR_ADVICE[code].replace("{support}", link) in row


# --- The examples, run against a live server ---------------------------------------------------------------
@pytest.fixture
def demo_catalog(dana, upstream):
    """The demo catalog's models the examples name, at the demo upstream's routes as `make run` has them."""
    routes = {
        "demo-summarizer": ("summarization", "/summarize"),
        "demo-chat": ("text_generation", "/chat/completions"),
        "vectorly-embed-small": ("embeddings", "/v1/embeddings"),
        "pixelforge-xl": ("image_generation", "/v1/images/generations"),
    }
    return {
        api_name: AIModelFactory(
            developer=dana,
            api_name=api_name,
            category=category,
            endpoint_url=f"{upstream.url}{path}",
            price_per_request=Decimal("0.0020"),
        )
        for api_name, (category, path) in routes.items()
    }


@pytest.fixture
def live_examples(live_server, alice_key, demo_catalog, monkeypatch, tmp_path):
    monkeypatch.setenv("AMP_API_KEY", alice_key)
    monkeypatch.chdir(tmp_path)

    def read(name: str) -> dict[str, str]:
        return examples(httpx.get(f"{live_server.url}{reverse(f'docs:{name}')}").text)

    return read


def run_shell(command: str) -> str:
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=60, env=os.environ.copy()
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_quickstart_curl_call_answers_as_the_page_says(live_examples, alice):
    code = live_examples("quickstart")["curl-invoke"]
    answer = json.loads(run_shell(code))

    assert answer["object"] == "invocation"
    assert answer["model"] == "demo-summarizer"
    assert answer["response"]
    assert UserHistory.objects.filter(user=alice, pk=answer["history_id"]).exists()


def test_the_quickstart_streaming_curl_call_streams(live_examples):
    events = run_shell(live_examples("quickstart")["curl-stream"])

    assert events.count('data: {"response"') > 1
    assert '"object": "invocation.end"' in events or '"object":"invocation.end"' in events
    assert events.rstrip().endswith("data: [DONE]")


def test_the_quickstart_python_examples_run_with_the_openai_client(live_examples, capsys):
    code = live_examples("quickstart")
    namespace: dict = {}
    try:
        exec(code["python-client"], namespace)  # noqa: S102 - the page's own example
        first = capsys.readouterr().out
        assert "You said" in first or first.strip()
        exec(code["python-stream"], namespace)  # noqa: S102
        streamed = capsys.readouterr().out
        assert streamed.strip()
        assert "cost" in streamed  # the usage chunk
        exec(code["python-media"], namespace)  # noqa: S102
        media = capsys.readouterr().out
        assert "2 vectors of" in media
        assert Path("circles.png").read_bytes().startswith(b"\x89PNG")
    finally:
        namespace["client"].close()


def test_the_limits_page_examples_show_the_headers_and_the_key(live_examples):
    code = live_examples("limits")
    headers = run_shell(code["curl-headers"]).lower()
    key = json.loads(run_shell(code["curl-key"]))

    assert "x-ratelimit-limit:" in headers and "x-ratelimit-remaining:" in headers
    assert key["kind"] == "personal"
    assert "spend_remaining" in key


def test_the_upstream_example_serves_a_model_through_the_gateway(live_examples, live_server, dana, alice_key):
    namespace: dict = {"__name__": "upstream_example"}
    exec(live_examples("upstream")["python-upstream"], namespace)  # noqa: S102
    server = ThreadingHTTPServer(("127.0.0.1", 0), namespace["Model"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        AIModelFactory(
            developer=dana, api_name="shouter", endpoint_url=f"http://127.0.0.1:{server.server_port}/generate"
        )
        answer = httpx.post(
            f"{live_server.url}/api/v1/models/shouter/invoke",
            headers={"Authorization": f"Bearer {alice_key}"},
            json={"prompt": "quiet words"},
        )
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"] == "QUIET WORDS"
