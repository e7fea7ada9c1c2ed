"""One request to a call endpoint of the JSON API, from its bearer key to the records it leaves.

The endpoints in activity.api describe what a call does; ApiCall keeps what is known about it so far
(key, model, caller, quota, the upstream's answer) so that every outcome, accepted or refused, is
answered in the API's error shape and logged once.
"""

import json
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn, TypeVar, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import parse_header_parameters
from pydantic import BaseModel, ValidationError

from accounts.models import UserApiKey
from activity.gateway import auth, pipeline, rows
from activity.gateway.access import deprecation_headers
from activity.gateway.errors import ERROR_CODES, GatewayError, error
from activity.gateway.quota import QuotaState
from activity.gateway.service import quota_headers
from catalog.models import AIModel
from core.addresses import client_address
from core.replicas import use_primary

QUERY_KEY_NAMES = {"key", "api_key", "apikey", "api-key", "access_token", "token", "bearer"}
MAX_API_NAME_LENGTH = cast(int, AIModel._meta.get_field("api_name").max_length)

Body = TypeVar("Body", bound=BaseModel)


def json_response(status: int, payload: dict, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(payload, separators=(",", ":"), default=str),
        status=status,
        content_type="application/json",
    )
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def first_problem(errors: Sequence[Mapping[str, Any]]) -> str:
    if not errors:
        return ERROR_CODES["invalid_request"][1]
    first = errors[0]
    location = ".".join(
        str(part) for part in first.get("loc", ()) if part not in ("body", "query", "payload")
    )
    return f"{location or 'body'}: {first.get('msg', 'invalid value')}."


def refuse_key_in_query(request: HttpRequest) -> None:
    for name, values in request.GET.lists():
        if name.lower() in QUERY_KEY_NAMES or any(value.startswith("amp_") for value in values):
            raise error(
                "key_in_query",
                "API keys are accepted only in the Authorization header: a key in a URL ends up in logs. "
                "If this key was real, revoke it and create a new one.",
            )


def validate_body(schema: type[Body], data: object) -> Body:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise error("invalid_request", first_problem(exc.errors())) from None


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise ValueError(f"{text} is out of range")
    return value


# The parsed body is re-encoded for the upstream by code that recurses: whatever GATEWAY_MAX_JSON_DEPTH
# says, bodies nest no deeper than this.
JSON_DEPTH_CEILING = 256
# The body is decoded as strict UTF-8, so a lone surrogate can only come from a \uD800-\uDFFF escape.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
SURROGATE = re.compile("[\ud800-\udfff]")


def json_depth_limit() -> int:
    return max(1, min(settings.GATEWAY_MAX_JSON_DEPTH, JSON_DEPTH_CEILING))


def content_type_problem(content_type: str | None) -> GatewayError | None:
    """A 400 unless the Content-Type is application/json, with no charset or UTF-8's."""
    media_type, params = parse_header_parameters(content_type or "")
    if media_type != "application/json":
        shown = (content_type or "none")[:100]
        return error("invalid_request", f"Content-Type must be application/json, not {shown}.")
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        return error("invalid_request", f"The body must be UTF-8, not {charset[:40]}.")
    return None


def _where(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path) or "body"


def _tree_problem(data: Any, text: str) -> GatewayError | None:
    """Nesting deeper than the limit, or a string (value or key) holding a lone surrogate: json reads
    both, but neither can be forwarded, and a surrogate cannot be stored, once the call has counted.
    Walked without recursion, and only when the text could hold either."""
    limit = json_depth_limit()
    check_depth = text.count("[") + text.count("{") > limit
    check_text = SURROGATE_ESCAPE.search(text) is not None
    if not (check_depth or check_text):
        return None
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(data, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            if check_text and SURROGATE.search(value):
                return _surrogate_error(path)
        elif isinstance(value, dict | list):
            if depth > limit:
                return _too_deep_error(limit, path)
            if isinstance(value, list):
                stack.extend((item, depth + 1, (*path, index)) for index, item in enumerate(value))
                continue
            for key, item in value.items():
                if check_text and SURROGATE.search(key):
                    return _surrogate_error(path)
                stack.append((item, depth + 1, (*path, key)))
    return None


def _surrogate_error(path: tuple[str | int, ...]) -> GatewayError:
    return error(
        "invalid_json",
        f"{_where(path)}: a lone surrogate (an escape from \\ud800 to \\udfff not in a valid pair) is not "
        "Unicode text.",
    )


def _too_deep_error(limit: int, path: tuple[str | int, ...] = ()) -> GatewayError:
    at = f" at {_where(path)}" if path else ""
    return error("invalid_json", f"The body nests arrays and objects deeper than {limit} levels{at}.")


def load_json(body: bytes, content_type: str | None) -> tuple[Any, GatewayError | None]:
    """The parsed body and the first problem with the request's body, or None.

    `content_type` (the header's value) must be application/json, with no charset or UTF-8's (400
    invalid_request). The body must be JSON in strict UTF-8 (400 invalid_json): not UTF-16 or -32, no lone
    surrogate in any string or key, arrays and objects nested at most GATEWAY_MAX_JSON_DEPTH deep, no NaN,
    Infinity or decimals too large for a float (1e999, which Python would read as infinity). None of these
    can be forwarded once the call has counted, so they are refused before; no body makes a RecursionError.
    Integers of any size are forwarded as they are.

    The body is returned parsed whenever it parses (invalid UTF-8 read as U+FFFD), even with a problem, so
    that a chat call is still logged under the model it names; with a problem, it is for nothing else.
    """
    declared = content_type_problem(content_type)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = declared or error(
            "invalid_json", f"The body is not valid UTF-8 (byte {exc.object[exc.start]:#04x} at {exc.start})."
        )
        # Parsed with the bad bytes as U+FFFD only to find the model a chat call names, for its log row.
        return _parsed(body.decode("utf-8", "replace")), problem
    try:
        data = json.loads(text, parse_constant=_not_json, parse_float=_finite)
    except RecursionError:
        return None, declared or _too_deep_error(json_depth_limit())
    except ValueError as exc:
        return None, declared or error("invalid_json", f"The body must be a JSON object ({exc}).")
    return data, declared or _tree_problem(data, text)


def _parsed(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_not_json, parse_float=_finite)
    except (ValueError, RecursionError):
        return None


def lookup_name(api_name: object) -> str | None:
    """The api_name worth looking up, or None for one no model can have (PostgreSQL refuses U+0000, and
    a lone surrogate cannot be sent to it)."""
    if (
        isinstance(api_name, str)
        and 0 < len(api_name) <= MAX_API_NAME_LENGTH
        and "\x00" not in api_name
        and not SURROGATE.search(api_name)
    ):
        return api_name
    return None


def declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.headers.get("content-length") or 0))
    except ValueError:
        return 0


def read_body(request: HttpRequest) -> bytes:
    """The body, refused with 413 request_too_large past GATEWAY_MAX_BODY_BYTES, declared or sent."""
    limit = settings.GATEWAY_MAX_BODY_BYTES
    too_large = error(
        "request_too_large", f"The request body is larger than {limit:,} bytes (GATEWAY_MAX_BODY_BYTES)."
    )
    if declared_length(request) > limit:
        raise too_large
    if getattr(request, "_body", None) is not None or getattr(request, "_read_started", False):
        try:
            return request.body
        except RequestDataTooBig:
            raise too_large from None
    body = request.read(limit + 1)
    if len(body) > limit:
        raise too_large
    return body


class ApiCall:
    """One request to a call endpoint: what is known so far (key, model, caller), the pipeline's outcome,
    and its answer with the records it leaves."""

    def __init__(self, request: HttpRequest):
        # The key, quota and credit checks read the primary, never a replica behind it (core.replicas).
        use_primary()
        self.request = request
        self.origin_started = time.perf_counter()
        self.token = auth.bearer_token(request.headers.get("Authorization"))
        self.caller: auth.Caller | None = None
        self.model: AIModel | None = None
        self.personal_key: UserApiKey | None = None
        self.personal_key_fetched = False
        self._body: bytes | None = None
        self.outcome: pipeline.Outcome | None = None
        # The quota its answer's headers show, when known without the pipeline (GET /key).
        self.quota: QuotaState | None = None

    @property
    def body(self) -> bytes:
        """The request's body, up to GATEWAY_MAX_BODY_BYTES (413 past it): calls carry files in base64, so
        the call endpoints take larger bodies than the site's forms (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
        if self._body is None:
            self._body = read_body(self.request)
        return self._body

    def load_json(self) -> tuple[Any, GatewayError | None]:
        """The body parsed, when it parses, and the first problem with it (see load_json)."""
        return load_json(self.body, self.request.META.get("CONTENT_TYPE"))

    def refuse_key_in_query(self) -> None:
        refuse_key_in_query(self.request)

    def load_model(self, api_name: str | None) -> None:
        """Read the named model, and the personal key the token names if it is one, in one query."""
        key_hash = auth.personal_key_hash(self.token)
        name = lookup_name(api_name)
        if name is None and key_hash is None:
            return
        self.model, self.personal_key = rows.call_rows(api_name=name, key_hash=key_hash)
        self.personal_key_fetched = key_hash is not None

    def authenticate(self) -> auth.Caller:
        # Identified first, so that a refused account's call is still logged under its user or developer.
        personal_key = self.personal_key if self.personal_key_fetched else auth.NOT_FETCHED
        self.caller = auth.identify(token=self.token, model=self.model, personal_key=personal_key)
        auth.admit(self.caller)
        return self.caller

    def origin(self) -> pipeline.Origin:
        if self._body is None and getattr(self.request, "_files", None) is not None:
            request_size = declared_length(self.request)  # a multipart upload, read by Django's parser
        else:
            try:
                request_size = len(self.body)
            except GatewayError:
                request_size = declared_length(self.request)
        return pipeline.Origin(
            ip=client_address(self.request),
            request_size=request_size,
            method=cast(str, self.request.method),  # set on every request the handler makes
            key_prefix=auth.loggable_prefix(self.token),
            started=self.origin_started,
        )

    def run(self, read: Callable[[], pipeline.CallInput]) -> pipeline.Outcome:
        """The call through the pipeline (activity.gateway.pipeline), once its caller is identified. Raises
        the refusal or the upstream's failure; the outcome stays here, for the answer and its records."""
        if self.model is None:
            raise error("model_not_found", "No model with that name.")
        assert self.caller is not None  # authenticate() came first
        outcome = self.outcome = pipeline.run(
            caller=self.caller, model=self.model, read=read, origin=self.origin()
        )
        if outcome.error is not None:
            raise outcome.error
        return outcome

    def named_model_call(
        self,
        schema: type[Body],
        read: Callable[[Body], pipeline.CallInput],
        answer: Callable[[pipeline.Outcome, Body], dict | HttpResponse | StreamingHttpResponse],
    ) -> HttpResponseBase:
        """A call whose JSON body names its `model` (chat and OpenAI's media endpoints): the model is read
        first, so that even a call refused for its key or body is logged under it; then `read(body)` makes
        the pipeline's input from the validated body, and `answer(outcome, body)` shapes a forwarded call."""
        parsed: list[Body] = []

        def flow() -> dict | HttpResponse | StreamingHttpResponse:
            data, problem = self.load_json()
            name = data.get("model") if isinstance(data, dict) else None
            self.load_model(name)
            self.refuse_key_in_query()
            self.authenticate()
            if problem:
                raise problem
            if not isinstance(name, str):
                raise error("invalid_request", "model: the model's api_name is required.")

            def pipeline_read() -> pipeline.CallInput:
                body = validate_body(schema, data)
                parsed.append(body)
                return read(body)

            outcome = self.run(pipeline_read)
            return answer(outcome, parsed[0])

        return self.respond(flow)

    def respond(self, flow: Callable[[], dict | HttpResponse | StreamingHttpResponse]) -> HttpResponseBase:
        headers: dict[str, str] = {}
        try:
            status, payload = 200, flow()
        except GatewayError as exc:
            status, payload, headers = exc.status, exc.as_json(), dict(exc.headers)
        outcome = self.outcome
        headers = {
            **quota_headers(
                caller=self.caller,
                model=self.model,
                visible=outcome is not None and outcome.visible,
                quota=outcome.quota if outcome else self.quota,
            ),
            **headers,
        }
        model = self.model
        if model is not None and model.is_deprecated and (model.is_listed or (outcome and outcome.visible)):
            # Every answer about a deprecated model says so, errors included, to anyone who may know of it.
            headers.update(deprecation_headers(model))
        if isinstance(payload, StreamingHttpResponse):
            # A streamed answer is recorded by its relay, when it ends (activity.gateway.streaming).
            for name, value in headers.items():
                payload[name] = value
            return payload
        if isinstance(payload, HttpResponse):  # an answer that is not JSON: audio, or a transcript as text
            response = payload
            response["Cache-Control"] = "no-store"
            for name, value in headers.items():
                response[name] = value
        else:
            response = json_response(status, payload, headers)
        if self.model is not None:
            if outcome is None:  # refused before the pipeline: the key, or the body of a chat call
                outcome = pipeline.refusal(model=self.model, caller=self.caller, origin=self.origin())
            outcome.record(response_size=len(response.content), status_code=status)
        return response
