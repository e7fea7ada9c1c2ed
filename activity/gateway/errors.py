"""Gateway errors: an HTTP status, a stable machine-readable code and a message for people."""

from dataclasses import dataclass, field


@dataclass
class GatewayError(Exception):
    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    # More fields of the error object, for the codes that have them (model_deprecated's replacement).
    extra: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def as_json(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}


# The codes are part of the API contract: clients branch on them, so they never change meaning.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "invalid_json": (
        400,
        "The body is not JSON in UTF-8: unparsable, not UTF-8, a lone surrogate (\\ud800) or nested "
        "deeper than GATEWAY_MAX_JSON_DEPTH.",
    ),
    "invalid_request": (
        400,
        "A field is missing or has the wrong type or value, or the Content-Type is not application/json.",
    ),
    "unsupported_kind": (
        400,
        "The model does not take what the call sends (text, image, audio) or does not give what the endpoint "
        "answers with (text, image, audio, vector, labels).",
    ),
    "invalid_media": (
        400,
        "A file is not what it says it is, is of a format the platform does not take, or is not base64.",
    ),
    "remote_url_refused": (
        400,
        "A file was given as a URL; the platform never fetches URLs: send it as a data: URI or an upload.",
    ),
    "key_in_query": (400, "An API key was sent in the query string; send it in the Authorization header."),
    "missing_key": (401, "No Authorization: Bearer <key> header."),
    "invalid_key": (401, "The key is unknown, malformed or revoked."),
    "key_expired": (401, "The personal key is past its expiry date; make a new one at /me/keys/."),
    "insufficient_credits": (
        402,
        "The account's credit balance does not cover the model's price; nothing was forwarded or charged.",
    ),
    "key_limit_reached": (
        402,
        "The personal key's spending limit for its period is reached; nothing was forwarded or charged.",
    ),
    "account_suspended": (403, "The account behind the key is suspended or inactive."),
    "account_not_verified": (403, "The account behind the key has not verified its email address."),
    "key_not_for_model": (403, "A model key may only call its own model."),
    "model_not_found": (404, "No served model with that name is visible to the key."),
    "not_found": (404, "No such endpoint."),
    "method_not_allowed": (405, "The endpoint does not take this method; see the Allow header."),
    "model_deprecated": (
        410,
        "The model is deprecated and past its sunset; `replacement` names the model to use instead, if any.",
    ),
    "prompt_too_large": (413, "The prompt is longer than GATEWAY_MAX_PROMPT_CHARS characters."),
    "request_too_large": (413, "The request body is larger than the platform accepts."),
    "media_too_large": (
        413,
        "A file is larger than GATEWAY_MAX_FILE_BYTES, an image has more than GATEWAY_MAX_IMAGE_PIXELS pixels "
        "or a WAV lasts longer than GATEWAY_MAX_AUDIO_SECONDS.",
    ),
    "consumer_limit_reached": (
        429,
        "This month's calls of the model that its developer allows each user are made; see Retry-After.",
    ),
    "quota_exceeded": (429, "The developer's monthly quota is spent; see Retry-After."),
    "upstream_unreachable": (502, "The model's upstream could not be reached."),
    "upstream_error": (502, "The model's upstream answered with an error status."),
    "upstream_invalid_response": (
        502,
        "The model's upstream answered with something other than the protocol.",
    ),
    "upstream_response_too_large": (502, "The upstream's answer exceeded UPSTREAM_MAX_RESPONSE_BYTES."),
    "upstream_timeout": (504, "The model's upstream did not answer in time."),
    "internal_error": (500, "Something went wrong on the platform."),
    "service_busy": (503, "The platform is busy: no database connection was free in time. See Retry-After."),
}


def error(
    code: str,
    message: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, object] | None = None,
) -> GatewayError:
    status, default_message = ERROR_CODES[code]
    return GatewayError(
        status=status, code=code, message=message or default_message, headers=headers or {}, extra=extra or {}
    )
