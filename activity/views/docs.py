"""The developer documentation under /docs/: an index, the quickstart, the API's errors, limits and quotas,
and the upstream protocol, in the site's layout.

The code examples carry the address the page was asked at (scheme and host of the request), so what a
reader copies works against the site they are reading, `make run`'s included. The errors table is drawn
from activity.gateway.errors.ERROR_CODES, the list the gateway answers from; ERROR_ADVICE adds what a
caller should do for each code, and activity/tests/test_docs.py fails when a code has none.
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from activity.gateway.errors import ERROR_CODES
from core.page_cache import cache_for_anonymous


@dataclass(frozen=True)
class DocPage:
    name: str  # the URL name in the docs namespace
    title: str
    summary: str

    @property
    def url(self) -> str:
        return reverse(f"docs:{self.name}")


# In reading order: the side navigation and the Previous/Next links follow it.
PAGES = (
    DocPage("index", "Overview", "What the API is and where each page of these docs leads."),
    DocPage("quickstart", "Quickstart", "A key, a first call with curl and with Python, streaming, media."),
    DocPage("errors", "Errors", "Every error code the API answers, its status, and what to do about it."),
    DocPage("limits", "Limits, quotas and credits", "Rate-limit headers, Retry-After, spending limits."),
    DocPage(
        "upstream", "Upstream protocol", "For developers: what your model's endpoint receives and answers."
    ),
)

# What a caller should do about each error code of ERROR_CODES (its status and meaning come from there);
# {support} becomes a mailto link to SUPPORT_EMAIL.
ERROR_ADVICE: dict[str, str] = {
    "invalid_json": "Send a JSON object encoded in UTF-8, with arrays and objects nested at most "
    "GATEWAY_MAX_JSON_DEPTH deep. Check the body with a JSON parser before sending it.",
    "invalid_request": "Read the message: it names the field and what is wrong with it. Send "
    "Content-Type: application/json (UTF-8) for JSON bodies.",
    "unsupported_kind": "Look at the model's takes and gives (GET /api/v1/models/<api_name>) and pick a "
    "model, or an endpoint, that matches what you send and want back.",
    "invalid_media": "Send the file's bytes in base64 (or as a data: URI), with its real MIME type: PNG, "
    "JPEG, WebP or GIF images; WAV, MP3, Ogg, FLAC, WebM or M4A audio.",
    "remote_url_refused": "Download the file yourself and send it as a data: URI, base64 in inputs, or a "
    "multipart upload.",
    "key_in_query": "Move the key into the Authorization: Bearer header, and revoke it at /me/keys/: a key "
    "in a URL ends up in logs.",
    "missing_key": "Send Authorization: Bearer <key> with a key from /me/keys/.",
    "invalid_key": "Check that the whole key was copied (amp_pk_… or amp_mk_…) and that it is not revoked; "
    "make a new one at /me/keys/ if it was lost.",
    "key_expired": "Make a new key at /me/keys/, or set a later expiry date on a new one.",
    "insufficient_credits": "Top up your credits (see Limits, quotas and credits). Nothing was charged.",
    "key_limit_reached": "Wait until the period resets (Retry-After, or spend_reset_at from GET "
    "/api/v1/key), or raise the key's limit at /me/keys/.",
    "account_suspended": "The account cannot call the API. Contact support at {support} if you think this is "
    "a mistake.",
    "account_not_verified": "Confirm your email address with the link we mailed (or ask for a new one on "
    "/me/).",
    "key_not_for_model": "A model key calls its own model only; use a personal key for other models.",
    "model_not_found": "Check the api_name (GET /api/v1/models lists the catalog). A model key sees only "
    "its own model.",
    "not_found": "Check the method and path against the API reference (/api/v1/docs).",
    "method_not_allowed": "Use one of the methods the Allow header lists.",
    "model_deprecated": "The model is past its sunset date. Move to the model the error's `replacement` field names (also in the `Link` header before the sunset); do not retry.",
    "prompt_too_large": "Shorten the prompt below GATEWAY_MAX_PROMPT_CHARS characters, or split the work "
    "over several calls.",
    "request_too_large": "Send a smaller body (files travel in it as base64, a third larger than the file).",
    "media_too_large": "Send a smaller file: fewer bytes, fewer pixels, or a shorter recording.",
    "consumer_limit_reached": "Wait for the next calendar month (UTC; see Retry-After) or use another "
    "model. The developer's quota is untouched.",
    "quota_exceeded": "Wait until Retry-After (the next calendar month, UTC). Developers: ask staff for a "
    "larger quota.",
    "upstream_unreachable": "The model's server is down or refused the connection. Retry later with "
    "backoff; nothing was charged.",
    "upstream_error": "The model's server failed this call. Retry later with backoff, or tell its "
    "developer; nothing was charged.",
    "upstream_invalid_response": "The model's server answered outside the protocol: tell its developer. "
    "Nothing was charged.",
    "upstream_response_too_large": "Ask for a shorter answer (fewer tokens, a smaller image). Nothing was "
    "charged.",
    "upstream_timeout": "Retry with backoff, ask for a shorter answer, or stream it (the timeout then "
    "bounds each wait between pieces). Nothing was charged.",
    "internal_error": "A fault of the platform. Retry once; if it keeps happening, contact support at {support} "
    "with the time of the call.",
    "service_busy": "Retry after Retry-After seconds. Nothing was counted or charged.",
}


@dataclass(frozen=True)
class ErrorRow:
    code: str
    status: int
    meaning: str
    advice: SafeString


def advice_html(code: str) -> SafeString:
    link = format_html('<a href="mailto:{0}">{0}</a>', settings.SUPPORT_EMAIL)
    return mark_safe(conditional_escape(ERROR_ADVICE.get(code, "")).replace("{support}", link))  # noqa: S308


def error_rows() -> list[ErrorRow]:
    """Every code of ERROR_CODES, by status then as listed there."""
    rows = [
        ErrorRow(code=code, status=status, meaning=meaning, advice=advice_html(code))
        for code, (status, meaning) in ERROR_CODES.items()
    ]
    return sorted(rows, key=lambda row: row.status)


def base_url(request: HttpRequest) -> str:
    """The address this page was asked at: the examples call the site the reader is on."""
    return request.build_absolute_uri("/").rstrip("/")


def _render(request: HttpRequest, name: str, extra: dict | None = None) -> HttpResponse:
    index = next(i for i, page in enumerate(PAGES) if page.name == name)
    context = {
        "pages": PAGES,
        "current": PAGES[index],
        "previous": PAGES[index - 1] if index > 0 else None,
        "next": PAGES[index + 1] if index + 1 < len(PAGES) else None,
        "base": base_url(request),
        **(extra or {}),
    }
    return render(request, f"docs/{name}.html", context)


@cache_for_anonymous
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _render(request, "index")


@cache_for_anonymous
@require_GET
def quickstart(request: HttpRequest) -> HttpResponse:
    return _render(request, "quickstart")


@cache_for_anonymous
@require_GET
def errors(request: HttpRequest) -> HttpResponse:
    return _render(request, "errors", {"errors": error_rows()})


@cache_for_anonymous
@require_GET
def limits(request: HttpRequest) -> HttpResponse:
    context = {
        "max_prompt_chars": settings.GATEWAY_MAX_PROMPT_CHARS,
        "max_file_bytes": settings.GATEWAY_MAX_FILE_BYTES,
        "max_body_bytes": settings.GATEWAY_MAX_BODY_BYTES,
        "max_json_depth": settings.GATEWAY_MAX_JSON_DEPTH,
        "max_image_pixels": settings.GATEWAY_MAX_IMAGE_PIXELS,
        "max_audio_seconds": settings.GATEWAY_MAX_AUDIO_SECONDS,
        "welcome_credits": settings.WELCOME_CREDITS,
    }
    return _render(request, "limits", context)


@cache_for_anonymous
@require_GET
def upstream(request: HttpRequest) -> HttpResponse:
    context = {
        "connect_timeout": settings.UPSTREAM_CONNECT_TIMEOUT,
        "read_timeout": settings.UPSTREAM_READ_TIMEOUT,
        "max_response_bytes": settings.UPSTREAM_MAX_RESPONSE_BYTES,
    }
    return _render(request, "upstream", context)
