"""The platform's JSON API, mounted at /api/v1/.

Calls are authenticated by ``Authorization: Bearer <key>`` only (no cookies, so no CSRF). Every error
is ``{"error": {"code", "message"}}`` with a stable code; see activity.gateway.errors.ERROR_CODES.
The call endpoints read their body themselves, in a fixed order of checks (see activity.gateway.service),
so that every call naming a model is logged with the status it got; their request bodies are still
validated by the schemas published in the OpenAPI document.
"""

import logging
from collections.abc import Callable, Iterable
from functools import wraps

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Query
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import Status
from pydantic.json_schema import models_json_schema

from activity.api_history import router as history_router
from activity.api_media import MEDIA_BODIES
from activity.api_media import router as media_router
from activity.gateway.call import (
    ApiCall,
    first_problem,
    json_response,
    lookup_name,
    refuse_key_in_query,
    validate_body,
)
from activity.gateway.catalog import public_model, public_models
from activity.gateway.docs import LocalSwagger
from activity.gateway.errors import ERROR_CODES, GatewayError, error
from activity.gateway.openapi import CALL_OPENAPI, CALL_STATUSES, RATE_LIMIT_HEADERS, call_openapi, json_body
from activity.gateway.parts import chat_messages, invoke_inputs
from activity.gateway.pipeline import CallInput, Outcome
from activity.gateway.quota import next_month_start, personal_key_calls, quota_state
from activity.gateway.reservation import key_spending
from activity.gateway.schemas import (
    ChatCompletionChunk,
    ChatIn,
    ChatOut,
    ErrorOut,
    InvokeIn,
    InvokeOut,
    InvokeStreamEnd,
    InvokeStreamError,
    InvokeStreamPiece,
    KeyOut,
    ModelOut,
    ModelsPage,
    ModelsQuery,
)
from activity.gateway.streaming import ChatChunks, InvokeEvents, chat_usage, event_stream_response
from activity.selectors import public_stats
from catalog.models import AIModel
from core.db import BUSY_RETRY_AFTER, pool_exhausted

logger = logging.getLogger(__name__)

DESCRIPTION = """Call the platform's models with an API key: `Authorization: Bearer <key>`.

A model key (`amp_mk_…`) calls its own model; a personal key (`amp_pk_…`, created at /me/keys/) calls any
public, active model. Each forwarded call counts against the model developer's monthly quota (UTC); answers
carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` once the model is known to be
callable by the key (or, for a model key, always). Errors are `{"error": {"code", "message"}}`.

A deprecated model keeps answering until its sunset; every answer about it carries `Deprecation: @<unix
time>` (RFC 9745), `Sunset: <HTTP date>` (RFC 8594) and `Link` to its page (`rel="deprecation"`) and its
replacement's (`rel="successor-version"`). After the sunset it answers 410 `model_deprecated`, whose error
names the replacement's api_name in `replacement`.

| status | codes |
| --- | --- |
""" + "\n".join(
    f"| {status} | {', '.join(f'`{code}`' for code, (s, _) in ERROR_CODES.items() if s == status)} |"
    for status in sorted({status for status, _ in ERROR_CODES.values()})
)


class GatewayAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["bearerAuth"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "A model key (amp_mk_…) or a personal key (amp_pk_…). Never in the query string.",
        }
        _, definitions = models_json_schema(
            [
                (InvokeIn, "validation"),
                (ChatIn, "validation"),
                *[(schema, "validation") for schema in MEDIA_BODIES],
                *[(event, "serialization") for event in STREAM_EVENTS],
            ],
            ref_template="#/components/schemas/{model}",
        )
        components.setdefault("schemas", {}).update(definitions["$defs"])
        return schema


api = GatewayAPI(
    title="AI Model Platform API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/history", history_router)
api.add_router("", media_router)


@api.exception_handler(GatewayError)
def _gateway_error(request, exc: GatewayError):
    return json_response(exc.status, exc.as_json(), exc.headers)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    return json_response(400, error("invalid_request", first_problem(exc.errors)).as_json())


@api.exception_handler(Exception)
def _unexpected_error(request, exc: Exception):
    if pool_exhausted(exc):
        # Busy, not broken, and no row can be written without a connection. Almost always nothing was reserved
        # or forwarded; when the pool ran dry only after the upstream answered, the quota counted the call
        # and its credit hold is released by `manage.py release_stale_holds`.
        return json_response(503, error("service_busy").as_json(), {"Retry-After": str(BUSY_RETRY_AFTER)})
    logger.exception("Unexpected error in the API", exc_info=exc)
    return json_response(500, error("internal_error").as_json())


ERROR_RESPONSES = {status: ErrorOut for status in CALL_STATUSES}


# The events of streamed answers ("stream": true), published as schemas for the text/event-stream answers.
STREAM_EVENTS = (InvokeStreamPiece, InvokeStreamEnd, InvokeStreamError, ChatCompletionChunk)


def _event_stream(description: str, events: list[str]) -> dict:
    return {
        "description": description,
        "content": {
            "text/event-stream": {
                "schema": {
                    "type": "string",
                    "description": "Server-Sent Events, one `data: <JSON>` line each.",
                },
                "x-events": [{"$ref": f"#/components/schemas/{event}"} for event in events],
            }
        },
    }


STREAM_ANSWERS = {
    "InvokeIn": _event_stream(
        'The answer; with `"stream": true`, Server-Sent Events as the upstream sends the text: '
        '`data: {"response": "<piece>"}` events (InvokeStreamPiece), then one InvokeStreamEnd event '
        "(ids, latency, time to the first piece, cost) and `data: [DONE]`. An upstream failure once the "
        "stream has begun ends it with one InvokeStreamError event instead.",
        ["InvokeStreamPiece", "InvokeStreamEnd", "InvokeStreamError"],
    ),
    "ChatIn": _event_stream(
        'The completion; with `"stream": true`, Server-Sent Events in OpenAI\'s chunk format '
        "(ChatCompletionChunk): the role, the content deltas, the finish reason, with "
        "`stream_options.include_usage` a last chunk with the usage (cost included), then `data: [DONE]`. "
        'An upstream failure once the stream has begun ends it with one `data: {"error": {...}}` event.',
        ["ChatCompletionChunk"],
    ),
}


def _call_openapi(body_schema: str) -> dict:
    return call_openapi(json_body(body_schema), STREAM_ANSWERS[body_schema])


@api.post(
    "/models/{api_name}/invoke",
    response={200: InvokeOut, **ERROR_RESPONSES},
    summary="Call a model with a prompt",
    tags=["calls"],
    openapi_extra=_call_openapi("InvokeIn"),
)
def invoke(request: HttpRequest, api_name: str):
    """Send `{"prompt", "session_id"?, "parameters"?}`; get the model's response, its latency and cost."""
    call = ApiCall(request)

    def read() -> CallInput:
        data, problem = call.load_json()
        if problem:
            raise problem
        body = validate_body(InvokeIn, data)
        files, texts = invoke_inputs(body.inputs)
        prompt = "\n\n".join(text for text in (body.prompt, *texts) if text)
        described = " ".join(f"[{media.describe()}]" for media in files)
        return CallInput(
            prompt=prompt,
            history_prompt=f"{prompt}\n{described}".strip() if files else None,
            parameters=body.parameters,
            session_id=body.session_id,
            stream=body.stream,
            files=files,
        )

    def flow() -> dict | StreamingHttpResponse:
        call.load_model(api_name)
        call.refuse_key_in_query()
        call.authenticate()
        outcome = call.run(read)
        forwarded = outcome.forwarded
        assert forwarded is not None  # run() raised unless the call was forwarded
        created = int(forwarded.request_timestamp.timestamp())
        if outcome.relay is not None:
            events = InvokeEvents(**_stream_ids(outcome, created))
            return event_stream_response(request, outcome.relay, events)
        outcome.finish()
        assert forwarded.answer is not None
        return {
            "id": str(outcome.origin.log_id),
            "object": "invocation",
            "created": created,
            "model": outcome.model.api_name,
            "response": forwarded.answer.text,
            "session_id": forwarded.session_id,
            "history_id": str(outcome.exchange.history_id) if outcome.exchange else None,
            "latency_ms": outcome.processing_ms,
            "cost": float(forwarded.cost),
            "outputs": [output.as_json() for output in forwarded.answer.outputs],
        }

    return call.respond(flow)


def _stream_ids(outcome: Outcome, created: int) -> dict:
    """What both event shapes name in their events: the call, its model, its session and history entry."""
    assert outcome.forwarded is not None
    return {
        "call_id": outcome.origin.log_id,
        "created": created,
        "model": outcome.model.api_name,
        "session_id": outcome.forwarded.session_id,
        "history_id": outcome.history_id,
    }


def _chat_prompt(messages: list[dict]) -> str:
    if len(messages) == 1:
        return messages[0]["content"]
    return "\n".join(f"{message['role']}: {message['content']}" for message in messages)


@api.post(
    "/chat/completions",
    response={200: ChatOut, **ERROR_RESPONSES},
    summary="OpenAI-compatible chat completion",
    tags=["calls"],
    openapi_extra=_call_openapi("ChatIn"),
)
def chat_completions(request: HttpRequest):
    """`model` is the api_name. Works with the official `openai` client pointed at `<site>/api/v1`."""
    call = ApiCall(request)

    def read(body: ChatIn) -> CallInput:
        messages, with_parts, files = chat_messages(body.messages)
        prompt = _chat_prompt(messages)
        user_turns = [message["content"] for message in messages if message["role"] == "user"]
        history_prompt = user_turns[-1] if user_turns else prompt
        if files:
            history_prompt = f"{history_prompt}\n" + " ".join(f"[{media.describe()}]" for media in files)
        return CallInput(
            prompt=prompt,
            parameters=dict(body.model_extra or {}),
            history_prompt=history_prompt.strip(),
            messages=with_parts if files else messages,
            session_id=body.session_id,
            stream=body.stream,
            files=files,
            want="text",
        )

    def answer(outcome: Outcome, body: ChatIn) -> dict | StreamingHttpResponse:
        forwarded = outcome.forwarded
        assert forwarded is not None and outcome.input is not None  # run() raised unless forwarded
        created = int(forwarded.request_timestamp.timestamp())
        if outcome.relay is not None:
            chunks = ChatChunks(
                **_stream_ids(outcome, created),
                prompt=outcome.input.prompt,
                include_usage=bool(body.stream_options and body.stream_options.include_usage),
            )
            return event_stream_response(request, outcome.relay, chunks)
        outcome.finish()
        assert forwarded.answer is not None
        text = forwarded.answer.text

        return {
            "id": f"chatcmpl-{outcome.origin.log_id.hex}",
            "object": "chat.completion",
            "created": created,
            "model": outcome.model.api_name,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": chat_usage(
                prompt=outcome.input.prompt, text=text, upstream=forwarded.answer.usage, cost=forwarded.cost
            ),
            "session_id": forwarded.session_id,
            "history_id": str(outcome.exchange.history_id) if outcome.exchange else None,
        }

    return call.named_model_call(ChatIn, read, answer)


@api.get(
    "/key",
    response={200: KeyOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="What the calling key may still spend this month",
    tags=["keys"],
    openapi_extra={**CALL_OPENAPI, "responses": {200: {"headers": RATE_LIMIT_HEADERS}}},
)
def key_usage(request: HttpRequest):
    """Model key: its developer's quota (limit, used, remaining, reset). Personal key: quotas belong to the
    developers of the models called, so `limit` and `remaining` are null and `used` counts this key's own
    forwarded calls this month; each call's X-RateLimit-* headers show the called developer's quota. A
    personal key also shows its user's credit `balance`, its spending limit (`spend_limit`,
    `limit_period`, `spent`, `spend_remaining`, `spend_reset_at`) and `expires_at`."""
    call = ApiCall(request)

    def flow() -> dict:
        call.refuse_key_in_query()
        caller = call.authenticate()
        if caller.is_model_key:
            state = call.quota = quota_state(developer=caller.developer)
            return {
                "kind": "model",
                "key_prefix": caller.key_prefix,
                "model": caller.own_model.api_name,
                "limit": state.limit,
                "used": state.used,
                "remaining": state.remaining,
                "reset": state.reset_epoch,
                "reset_at": state.reset.isoformat(),
                "quota_scope": "developer",
                "note": "Calls with this key and with personal keys count against your developer quota.",
            }
        now = timezone.now()
        reset = next_month_start(now)
        api_key = caller.api_key
        user = caller.user
        spending = key_spending(api_key=api_key, now=now)
        return {
            **spending,
            "balance": user.credit_balance,
            "expires_at": api_key.expires_at,
            "kind": "personal",
            "key_prefix": caller.key_prefix,
            "model": None,
            "limit": None,
            "used": personal_key_calls(api_key=caller.api_key),
            "remaining": None,
            "reset": int(reset.timestamp()),
            "reset_at": reset.isoformat(),
            "quota_scope": "developer",
            "note": "Personal keys have no quota of their own: each call counts against the called model's "
            "developer quota, shown in that call's X-RateLimit-* headers. Priced calls spend the balance, "
            "within the key's spending limit.",
        }

    return call.respond(flow)


@api.get(
    "/models",
    response={200: ModelsPage, 400: ErrorOut},
    summary="The public catalog",
    tags=["catalog"],
)
def models_list(request: HttpRequest, filters: Query[ModelsQuery]):
    """Public, active models, with the catalog page's filters and sorts. No key needed."""
    refuse_key_in_query(request)
    queryset = public_models(params=request.GET)
    paginator = Paginator(queryset, filters.page_size)
    try:
        page = paginator.page(filters.page)
    except EmptyPage:
        raise error("invalid_request", f"page: there are {paginator.num_pages} pages.") from None

    def page_url(number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    models = list(page.object_list)
    stats = public_stats([model.pk for model in models])
    entries = [_model_out(request, model, stats[model.pk]) for model in models]
    return Status(
        200,
        {
            "object": "list",
            "data": entries,
            "count": paginator.count,
            "page": page.number,
            "page_size": filters.page_size,
            "num_pages": paginator.num_pages,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
            "results": entries,
        },
    )


@api.get(
    "/models/{api_name}",
    response={200: ModelOut, 400: ErrorOut, 404: ErrorOut},
    summary="One model of the public catalog",
    tags=["catalog"],
)
def model_retrieve(request: HttpRequest, api_name: str):
    """The catalog entry of one public, active model, as in the list (OpenAI's `models.retrieve`). No key
    needed."""
    refuse_key_in_query(request)
    name = lookup_name(api_name)
    model = public_model(api_name=name) if name is not None else None
    if model is None:
        raise error("model_not_found", "No model with that name in the catalog.")
    return Status(200, _model_out(request, model, public_stats([model.pk])[model.pk]))


def _model_out(request: HttpRequest, model: AIModel, stats: dict) -> dict:
    return {
        "id": model.api_name,
        "object": "model",
        "created": int(model.created_at.timestamp()),
        "owned_by": model.developer.username,
        "api_name": model.api_name,
        "display_name": model.display_name,
        "description": model.description,
        "category": model.category,
        "tags": model.tags,
        "price_per_request": float(model.price_per_request),
        "average_rating": float(model.average_rating),
        "rating_count": model.rating_count,
        "total_requests": model.total_requests,
        "total_users": model.total_users,
        "created_at": model.created_at,
        "developer": {"username": model.developer.username, "company_name": model.developer.company_name},
        "page_url": request.build_absolute_uri(f"/models/{model.api_name}/"),
        "invoke_url": request.build_absolute_uri(reverse("api:invoke", args=[model.api_name])),
        "stats": stats,
        "sunset_at": model.sunset_at,
        "replacement": model.replacement.api_name if model.replacement_id is not None else None,
    }


# Everything under /api/ answers in the API's error shape, never with an HTML page: unknown paths 404
# not_found, known paths 405 method_not_allowed (with Allow) for another method. The API takes no cookies
# (keys only), so no CSRF check applies either: a POST to an unknown path is a 404, not "Form expired".


@csrf_exempt
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Unknown paths under /api/ answer in the API's error shape, whatever the method."""
    return json_response(404, error("not_found", f"No endpoint {request.method} {request.path}.").as_json())


def method_not_allowed(request: HttpRequest, allowed: Iterable[str]) -> HttpResponse:
    allow = ", ".join(sorted(allowed))
    return json_response(
        405,
        error("method_not_allowed", f"{request.path} takes {allow}, not {request.method}.").as_json(),
        {"Allow": allow},
    )


def api_view(view: Callable[..., HttpResponse], methods: tuple[str, ...] | None = None) -> Callable:
    """`view` answering in the API's shape: 405 JSON for a method it does not take (`methods`, or what
    it refuses itself with a 405), 404 JSON for an Http404; exempt from CSRF."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if methods is not None and request.method not in methods:
            return method_not_allowed(request, methods)
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return api_not_found(request)
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed(request, response["Allow"].split(", "))
        return response

    return csrf_exempt(wrapped)


def api_urlpatterns() -> list[URLPattern]:
    """The API's URL patterns (django-ninja's), each view wrapped by api_view. ninja's own 405 is a text
    page; its root view, kept for the name ninja reverses, an HTML 404; its docs views take any method."""
    patterns = []
    for pattern in api.urls[0]:
        if pattern.name == "api-root":
            view: Callable = api_not_found
        elif pattern.name in ("openapi-json", "openapi-view"):
            view = api_view(pattern.callback, methods=("GET",))
        else:
            view = api_view(pattern.callback)
        patterns.append(URLPattern(pattern.pattern, view, pattern.default_args, pattern.name))
    return patterns
