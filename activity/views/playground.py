"""The playground on each model page: a verified user has a conversation with the model.

The panel shows the turns of one session, oldest first (the user's history rows of that session), a form
to continue it with its settings (system prompt, temperature, maximum length) folded away, "New chat", and
a choice of the user's earlier sessions with the model. A chat-shaped upstream (endpoint ending in
/chat/completions) is sent the earlier turns as messages; a plain upstream gets the prompt alone.

The form POSTs here; with JavaScript (static/js/playground.js) it goes to the stream view instead, which
answers Server-Sent Events: the answer's text as it comes, then how it ended (history id, latency, cost),
and the script then fetches the panel again for the session, the answer drawn from Markdown. With htmx
(and no streaming) the panel is answered in place; without JavaScript the view redirects back to the
model page, with ``?exchange=<history id>`` (shown only to its owner, with the rest of its session) or,
for an error, the message and the typed prompt kept once in the session. The model page opens a session
with ``?session=<id>``; without one it starts a new chat. Settings are kept across turns in the form, and
for the next visit in the user's session (SETTINGS_KEY), per model.

The turns and the form are in activity.views.playground_turns; what each kind of model adds (a file, a
second text, images and audio, vectors and labels) in activity.views.playground_kinds.
"""

import json
import uuid
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from activity.gateway import pipeline
from activity.gateway.auth import playground_caller
from activity.gateway.errors import GatewayError
from activity.gateway.pipeline import Origin, Outcome
from activity.gateway.streaming import DONE, StreamEnd, error_json, event_stream_response
from activity.gateway.upstream import is_chat_endpoint
from activity.media import media_for_history
from activity.models import UserHistory
from activity.selectors import recent_sessions
from activity.views.playground_kinds import (
    FILE_KEPT_NOTE,
    PanelKinds,
    remember_result,
    result_of,
    results_for,
)
from activity.views.playground_turns import (
    SETTING_FIELDS,
    Conversation,
    PlaygroundForm,
    SessionPickForm,
    Shown,
    conversation_for,
)
from catalog.models import AIModel
from core.addresses import client_address

FLASH_KEY = "playground_flash"
SETTINGS_KEY = "playground_settings"
PANEL_TEMPLATE = "activity/playground_panel.html"
ERROR_TITLES = {
    403: "Not allowed.",
    404: "Not available.",
    410: "This model is deprecated.",
    413: "Prompt too long.",
    400: "Not accepted.",
    429: "Quota spent.",
    502: "The model failed.",
    504: "The model timed out.",
}
# Titles of refusals that share a status with others.
CODE_TITLES = {
    "insufficient_credits": "Not enough credits.",
    "consumer_limit_reached": "Monthly limit for this model reached.",
    "unsupported_kind": "Not supported by this model.",
    "invalid_media": "That file cannot be used.",
    "media_too_large": "File too large.",
}


def remembered_settings(request: HttpRequest, model: AIModel) -> dict:
    return (request.session.get(SETTINGS_KEY) or {}).get(model.api_name, {})


def remember_settings(request: HttpRequest, model: AIModel, values: dict) -> None:
    kept = request.session.get(SETTINGS_KEY) or {}
    if kept.get(model.api_name, {}) != values:
        request.session[SETTINGS_KEY] = {**kept, model.api_name: values}


def with_media(request: HttpRequest, conversation: Conversation) -> Conversation:
    """The turns with their kept files (one query for all of them) and their figures kept in the session."""
    ids = [turn.history_id for turn in conversation.turns]
    if not ids:
        return conversation
    media, results = media_for_history(ids), results_for(request, ids)
    turns = []
    for turn in conversation.turns:
        files = media.get(turn.history_id, [])
        turns.append(
            replace(
                turn,
                sent=tuple(item for item in files if item.direction == "input"),
                answered=tuple(item for item in files if item.direction == "output"),
                result=results.get(turn.history_id),
            )
        )
    return Conversation(conversation.session_id, turns, conversation.older)


def panel_context(
    request: HttpRequest,
    model: AIModel,
    *,
    form: PlaygroundForm | None = None,
    conversation: Conversation | None = None,
    error: dict | None = None,
    file_lost: bool = False,
) -> dict:
    """Everything the panel template needs; used by the view (htmx) and the model page's include."""
    user = request.user
    conversation = with_media(request, conversation or Conversation())
    context = {
        "model": model,
        "form": form,
        "conversation": conversation,
        "error": error,
        "file_lost": file_lost,
        "file_kept_note": FILE_KEPT_NOTE,
        "kinds": PanelKinds.of(model),
        "max_file_bytes": settings.GATEWAY_MAX_FILE_BYTES,
        "state": "ready",
    }
    if not user.is_authenticated:
        context["state"] = "anonymous"
        return context
    if not user.is_verified:
        context["state"] = "unverified"
        return context
    if not model.is_in_service:
        context["state"] = "unavailable"
        return context
    sessions = recent_sessions(user=user, model=model)
    if form is None or (error is None and not form.errors):
        # A fresh form for the next turn of the conversation shown, with the settings kept.
        kept = form.settings_values() if form is not None else remembered_settings(request, model)
        form = PlaygroundForm(initial={**kept, "session": conversation.session_id or ""})
    context["form"] = form
    context["picker"] = SessionPickForm(
        initial={"session": conversation.session_id or ""},
        sessions=sessions,
        current=conversation.session_id,
    )
    context["settings_open"] = bool(
        any(form[name].errors for name in SETTING_FIELDS)
        or any(form[name].value() not in (None, "") for name in SETTING_FIELDS)
    )
    return context


def panel_context_for_page(request: HttpRequest, model: AIModel) -> dict:
    """The panel inside the model page: the session of the exchange named in ?exchange= (if it is the
    user's), the session named in ?session=, or a new chat; or the error and prompt left by a run without
    JavaScript."""
    user = request.user
    if not (user.is_authenticated and user.is_verified):
        return panel_context(request, model)
    flash = request.session.get(FLASH_KEY)
    if flash and flash.get("api_name") == model.api_name:
        del request.session[FLASH_KEY]
        form = PlaygroundForm(flash["data"], user=user, model=model)
        form.is_valid()  # shows the field errors again beside the fields
        if flash.get("file_lost"):
            form.errors.pop("file", None)  # the file was chosen; the browser did not keep it
        return panel_context(
            request,
            model,
            form=form,
            conversation=form.conversation,
            error=flash.get("error"),
            file_lost=flash.get("file_lost", False),
        )
    session_id = request.GET.get("session") or None
    exchange_id = request.GET.get("exchange", "")
    try:
        exchange_id = uuid.UUID(exchange_id) if exchange_id else None
    except ValueError:
        exchange_id = None
    if exchange_id:
        session_id = (
            UserHistory.objects.for_user(user)
            .filter(pk=exchange_id, model=model)
            .values_list("session_id", flat=True)
            .first()
        )
    conversation = conversation_for(user=user, model=model, session_id=session_id)
    return panel_context(request, model, conversation=conversation)


def _error_message(exc: GatewayError) -> dict:
    return {
        "title": CODE_TITLES.get(exc.code) or ERROR_TITLES.get(exc.status, "Something went wrong."),
        "message": exc.message,
        "code": exc.code,
    }


def session_url(model: AIModel, session_id: str | None) -> str:
    query = f"?{urlencode({'session': session_id})}" if session_id else ""
    return f"{model.get_absolute_url()}{query}#playground"


def _file_lost(request: HttpRequest, form: PlaygroundForm, error: dict | None) -> bool:
    """A file was chosen and the turn comes back to the user: the browser will not show it again."""
    return bool(request.FILES) and bool(error or form.errors)


def _panel(request, model, *, form, conversation, error=None, status=200) -> HttpResponse:
    file_lost = _file_lost(request, form, error)
    response = render(
        request,
        PANEL_TEMPLATE,
        panel_context(request, model, form=form, conversation=conversation, error=error, file_lost=file_lost),
        status=status,
    )
    if conversation.session_id:
        # A reload shows the same conversation.
        response["HX-Replace-Url"] = session_url(model, conversation.session_id)
    return response


def _respond(request, model, *, form, conversation, shown=None, error=None) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        return _panel(request, model, form=form, conversation=conversation, error=error)
    if error or form.errors:
        fields = ("prompt", "compare", "session", *SETTING_FIELDS)
        request.session[FLASH_KEY] = {
            "api_name": model.api_name,
            "data": {name: form.data.get(name, "") for name in fields},
            "error": error,
            "file_lost": _file_lost(request, form, error),
        }
    if shown is not None:
        return redirect(f"{model.get_absolute_url()}?exchange={shown.history_id}#playground")
    return redirect(model.get_absolute_url() + "#playground")


UNVERIFIED = {"title": "Verify your email first.", "message": "The playground is for verified accounts."}


def _posted_form(request: HttpRequest, model: AIModel) -> PlaygroundForm | None:
    """The posted turn, validated for the user and the model; None for an unverified user."""
    if not request.user.is_verified:
        return None
    form = PlaygroundForm(request.POST, request.FILES, user=request.user, model=model)
    form.is_valid()
    return form


def _call(request: HttpRequest, model: AIModel, form: PlaygroundForm, *, stream: bool) -> Outcome:
    """A valid form's turn through the gateway's pipeline, as the user's call: same checks, quota, upstream
    and records as the API's. A refusal or an answer in one piece is recorded here; a stream, by its relay."""
    outcome = pipeline.run(
        caller=playground_caller(user=request.user),
        model=model,
        read=lambda: form.call_input(chat=is_chat_endpoint(model.endpoint_url), stream=stream),
        origin=Origin(
            ip=client_address(request),
            request_size=int(request.headers.get("content-length") or 0),
            size_of_text=True,
        ),
    )
    if outcome.relay is None:
        answer = outcome.answer
        # The answer's bytes: its text and its files (the page around them is not the model's).
        size = len(answer.text.encode()) + sum(len(media.data) for media in answer.files) if answer else 0
        outcome.record(response_size=size)
    return outcome


def _outcome(form: PlaygroundForm, result: Outcome) -> tuple[Shown | None, Conversation, dict | None]:
    """The turn shown, the conversation and the error of a call answered in one piece, refused, or failed
    before its answer began."""
    if result.error is not None and result.error.status == 404:
        raise Http404("No such model.")
    # Upstream failures are in the history (shown with their message); refusals before the model (quota,
    # deprecated) leave none, and the message comes back with the typed prompt.
    shown = Shown.from_exchange(result.exchange) if result.exchange else None
    conversation = form.conversation.add(shown) if shown else form.conversation
    error = _error_message(result.error) if result.error else None
    return shown, conversation, error


@login_required
@require_POST
def playground_run(request: HttpRequest, api_name: str) -> HttpResponse:
    model = get_object_or_404(AIModel.objects.select_related("developer__user"), api_name=api_name)
    form = _posted_form(request, model)
    if form is None:
        form = PlaygroundForm(request.POST)
        return _respond(request, model, form=form, conversation=Conversation(), error=UNVERIFIED)
    if form.errors:
        return _respond(request, model, form=form, conversation=form.conversation)
    result = _call(request, model, form, stream=False)
    remember_settings(request, model, form.settings_values())
    shown, conversation, error = _outcome(form, result)
    if shown is not None:
        remember_result(request, shown.history_id, result_of(result.answer))
    return _respond(request, model, form=form, conversation=conversation, shown=shown, error=error)


def event(name: str, data: dict) -> bytes:
    """One named Server-Sent Event; JSON keeps the data on one line."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


@dataclass(frozen=True)
class PanelEvents:
    """The playground's stream: "start" (the session), a "piece" per piece of text, then "done" (history
    id, latency, cost, the address of the session) or "error" (the same with the message), and [DONE]."""

    model: AIModel
    session_id: str
    history_id: uuid.UUID | None

    def opening(self) -> list[bytes]:
        return [
            event("start", {"session_id": self.session_id, "url": session_url(self.model, self.session_id)})
        ]

    def piece(self, text: str) -> bytes:
        return event("piece", {"text": text})

    def closing(self, end: StreamEnd) -> list[bytes]:
        ending = {
            "session_id": self.session_id,
            "history_id": str(self.history_id) if self.history_id else None,
            "status": end.status,
            "latency_ms": end.processing_ms,
            "cost": str(end.cost),
            "url": session_url(self.model, self.session_id),
        }
        if end.error is not None:
            return [event("error", {**ending, "error": error_json(end.error)}), DONE]
        return [event("done", ending), DONE]


@login_required
@require_POST
def playground_stream_run(request: HttpRequest, api_name: str) -> HttpResponse | StreamingHttpResponse:
    """The form's turn with the answer streamed (text/event-stream, see PanelEvents). Form errors and
    refusals come back as the panel (HTML, a 4xx status), as does a failure before the answer began (its
    turn in the panel, with the upstream's error status)."""
    model = get_object_or_404(AIModel.objects.select_related("developer__user"), api_name=api_name)
    form = _posted_form(request, model)
    if form is None:
        form = PlaygroundForm(request.POST)
        return _panel(request, model, form=form, conversation=Conversation(), error=UNVERIFIED, status=403)
    if form.errors:
        return _panel(request, model, form=form, conversation=form.conversation, status=400)
    # Only text answers of plain and chat upstreams stream; anything else is answered as the panel.
    started = _call(request, model, form, stream=PanelKinds.of(model).streams)
    # Before the answer begins: the session is saved as the response starts, not when it ends.
    remember_settings(request, model, form.settings_values())
    if started.relay is None:
        shown, conversation, error = _outcome(form, started)
        if shown is not None:
            remember_result(request, shown.history_id, result_of(started.answer))
        status = started.status_code
        return _panel(request, model, form=form, conversation=conversation, error=error, status=status)
    shape = PanelEvents(model=model, session_id=started.session_id, history_id=started.history_id)
    return event_stream_response(request, started.relay, shape)
