"""What the OpenAPI document says of every call endpoint: its key, its errors, its quota headers and its JSON
body (the call endpoints read their bodies themselves, so that every outcome is logged; the schemas that
validate them are published here instead)."""

RATE_LIMIT_HEADERS = {
    name: {"description": text, "schema": {"type": "integer"}}
    for name, text in [
        ("X-RateLimit-Limit", "The model developer's monthly quota."),
        ("X-RateLimit-Remaining", "Calls left this month."),
        ("X-RateLimit-Reset", "Unix time of the next month start (UTC)."),
    ]
}
RETRY_AFTER_HEADER = {"description": "Seconds until the quota resets.", "schema": {"type": "integer"}}
CALL_STATUSES = (400, 401, 402, 403, 404, 410, 413, 429, 502, 503, 504)
CALL_OPENAPI: dict[str, list] = {"security": [{"bearerAuth": []}]}


def call_openapi(body: dict, answer: dict | None = None) -> dict:
    """openapi_extra of a call endpoint taking `body` (a requestBody's content) and answering 200 as
    `answer` says, if not with its response schema alone. Rate-limit headers come with every answer but
    401s; Retry-After with 429s."""
    responses: dict = {
        status: {"headers": RATE_LIMIT_HEADERS} for status in (200, *CALL_STATUSES) if status != 401
    }
    if answer:
        responses[200].update(answer)
    responses[429] = {"headers": {**RATE_LIMIT_HEADERS, "Retry-After": RETRY_AFTER_HEADER}}
    return {**CALL_OPENAPI, "requestBody": {"required": True, "content": body}, "responses": responses}


def json_body(schema: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
