"""GET /api/v1/openapi.json and /api/v1/docs: the published contract, served without a CDN."""

import re

import pytest

from activity.gateway.errors import ERROR_CODES

CALL_STATUSES = {"200", "400", "401", "402", "403", "404", "410", "413", "429", "502", "503", "504"}
ENDPOINTS = {
    ("post", "/api/v1/models/{api_name}/invoke"): CALL_STATUSES,
    ("post", "/api/v1/chat/completions"): CALL_STATUSES,
    ("post", "/api/v1/embeddings"): CALL_STATUSES,
    ("post", "/api/v1/images/generations"): CALL_STATUSES,
    ("post", "/api/v1/audio/speech"): CALL_STATUSES,
    ("post", "/api/v1/audio/transcriptions"): CALL_STATUSES,
    ("get", "/api/v1/key"): {"200", "400", "401", "403"},
    ("get", "/api/v1/history"): {"200", "400", "401", "403"},
    ("get", "/api/v1/history/{history_id}"): {"200", "400", "401", "403", "404"},
    ("get", "/api/v1/models"): {"200", "400"},
    ("get", "/api/v1/models/{api_name}"): {"200", "400", "404"},
}


@pytest.fixture
def document(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_it_lists_every_endpoint_with_its_responses(document):
    found = {
        (method, path): set(operation["responses"])
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    assert found == ENDPOINTS


def test_the_call_endpoints_document_their_bodies_keys_and_headers(document):
    for path, schema in [
        ("/api/v1/models/{api_name}/invoke", "InvokeIn"),
        ("/api/v1/chat/completions", "ChatIn"),
        ("/api/v1/embeddings", "EmbeddingsIn"),
        ("/api/v1/images/generations", "ImagesIn"),
        ("/api/v1/audio/speech", "SpeechIn"),
    ]:
        operation = document["paths"][path]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{schema}"}
        assert operation["security"] == [{"bearerAuth": []}]
        assert set(operation["responses"]["200"]["headers"]) == {
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
        }
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        error_schema = operation["responses"]["404"]["content"]["application/json"]["schema"]
        assert error_schema == {"$ref": "#/components/schemas/ErrorOut"}
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }


def test_every_reference_resolves(document):
    text = str(document)
    for name in set(re.findall(r"#/components/schemas/([A-Za-z0-9_]+)", text)):
        assert name in document["components"]["schemas"], name


def test_the_invoke_body_schema_matches_what_the_view_accepts(document):
    schema = document["components"]["schemas"]["InvokeIn"]
    assert "required" not in schema  # a prompt, inputs, or both:
    assert [alternative["required"] for alternative in schema["anyOf"]] == [["prompt"], ["inputs"]]
    assert set(schema["properties"]) == {"prompt", "inputs", "session_id", "parameters", "stream"}
    assert schema["additionalProperties"] is False


def test_the_catalog_filters_are_documented(document):
    parameters = {p["name"] for p in document["paths"]["/api/v1/models"]["get"]["parameters"]}
    assert parameters == {
        "q", "category", "tag", "developer", "min_rating", "min_price", "max_price", "sort", "page", "page_size",
    }  # fmt: skip


def test_the_description_tables_every_error_code(document):
    for code in ERROR_CODES:
        assert f"`{code}`" in document["info"]["description"]


def test_the_docs_page_loads_swagger_from_the_site_itself(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert all('type="application/json"' in tag or 'src="/api/v1/docs/assets/' in tag for tag in scripts)
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert '"url": "/api/v1/openapi.json"' in html


def test_the_docs_page_leads_back_to_the_site(client, db):
    html = client.get("/api/v1/docs").content.decode()

    bar = html[html.index('<header class="api-docs-bar">') : html.index("</header>")]
    assert '<a class="api-docs-home" href="/">' in bar
    assert 'href="/docs/"' in bar
    assert "/static/css/api-docs.css" in html


@pytest.mark.parametrize(
    "name, content_type",
    [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui-init.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
    ],
)
def test_the_docs_assets_are_served_and_cached(client, name, content_type):
    response = client.get(f"/api/v1/docs/assets/{name}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "max-age=86400" in response["Cache-Control"]
    assert b"".join(response.streaming_content)


def test_other_files_are_not_served_as_assets(client):
    assert client.get("/api/v1/docs/assets/..%2Fsettings.py").status_code == 404
    assert client.get("/api/v1/docs/assets/redoc.standalone.js").status_code == 404
