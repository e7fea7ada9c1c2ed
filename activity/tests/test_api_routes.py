"""Everything under /api/ answers JSON in the API's error shape: 404 not_found for an unknown path, whatever
the method (never the site's CSRF page), 405 method_not_allowed with Allow for a known path; and the README's
errors table is ERROR_CODES."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from activity.gateway.errors import ERROR_CODES
from activity.models import ApiUsageLog
from activity.tests.helpers import auth_header


@pytest.fixture
def api_client(db):
    """A client that enforces CSRF checks as browsers meet them (the test client skips them by default)."""
    return Client(enforce_csrf_checks=True)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body


UNKNOWN = [
    "/api/v1/fine_tuning/jobs",
    "/api/v1/completions",
    "/api/v1/",
    "/api/v1",
    "/api/v1/models/",
    "/api/v1/models/demo/invoke/",
    "/api/v1/models/a/b",
    "/api/v2/chat/completions",
    "/api/",
    "/api",
]


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_api_path_is_a_json_404_whatever_the_method(api_client, alice_key, path, method):
    response = api_client.generic(
        method.upper(), path, "{}", content_type="application/json", **auth_header(alice_key)
    )

    body = assert_error(response, 404, "not_found")
    assert path in body["error"]["message"]
    assert "Form expired" not in response.content.decode()


def test_an_unknown_docs_asset_is_a_json_404(api_client):
    assert_error(api_client.get("/api/v1/docs/assets/nope.js"), 404, "not_found")


def test_a_post_to_an_unknown_path_without_a_key_is_a_404_too(api_client):
    response = api_client.post("/api/v1/fine_tuning/jobs", data={"input": "hi"})

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    "method, path, allow",
    [
        ("get", "/api/v1/models/demo/invoke", "POST"),
        ("put", "/api/v1/models/demo/invoke", "POST"),
        ("get", "/api/v1/chat/completions", "POST"),
        ("delete", "/api/v1/chat/completions", "POST"),
        ("post", "/api/v1/models", "GET"),
        ("delete", "/api/v1/models/demo", "GET"),
        ("post", "/api/v1/models/demo", "GET"),
        ("post", "/api/v1/key", "GET"),
        ("options", "/api/v1/key", "GET"),
        ("post", "/api/v1/openapi.json", "GET"),
        ("put", "/api/v1/docs", "GET"),
        ("post", "/api/v1/docs/assets/swagger-ui.css", "GET"),
    ],
)
def test_a_known_path_with_another_method_is_a_json_405_with_allow(api_client, method, path, allow):
    response = api_client.generic(method.upper(), path, "{}", content_type="application/json")

    body = assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == allow
    assert method.upper() in body["error"]["message"]


def test_a_wrong_method_on_a_models_invoke_path_leaves_no_usage_row(api_client, model, alice_key):
    # The call never reached the endpoint: no model was named by a call.
    response = api_client.get(f"/api/v1/models/{model.api_name}/invoke", **auth_header(alice_key))

    assert response.status_code == 405
    assert not ApiUsageLog.objects.exists()


def test_the_site_outside_the_api_keeps_its_html_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_known_endpoints_still_answer(client, db):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/models").status_code == 200


# The one table of error codes --------------------------------------------------------------------------


def readme_error_rows() -> dict[str, int]:
    text = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = text.split("### API errors", 1)[1].split("\n### ", 1)[0]
    return {code: int(status) for status, code in re.findall(r"^\| (\d{3}) \| `([a-z_]+)` \|", section, re.M)}


def test_the_readme_errors_table_lists_every_code_with_its_status():
    assert readme_error_rows() == {code: status for code, (status, _) in ERROR_CODES.items()}


def test_the_openapi_description_tables_the_new_codes(client, db):
    description = client.get("/api/v1/openapi.json").json()["info"]["description"]

    assert "| 405 | `method_not_allowed` |" in description
    assert "`not_found`" in description
