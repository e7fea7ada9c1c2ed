"""The playground on each model page: a verified user sends a prompt and sees the answer, latency and cost.

The form POSTs here. With htmx the panel is answered in place; without JavaScript the view redirects back to
the model page, with ``?exchange=<history id>`` (shown only to its owner) or, for an error, the message and
the typed prompt kept once in the session.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from activity.gateway.errors import GatewayError
from activity.gateway.records import Exchange
from activity.gateway.service import client_ip, playground_call
from activity.models import UserHistory
from activity.selectors import recent_sessions
from catalog.models import AIModel

FLASH_KEY = "playground_flash"
PANEL_TEMPLATE = "activity/playground_panel.html"
ERROR_TITLES = {
    403: "Not allowed.",
    404: "Not available.",
    410: "This model is deprecated.",
    413: "Prompt too long.",
    429: "Quota spent.",
    502: "The model failed.",
    504: "The model timed out.",
}


def session_choices(sessions: list[dict]) -> list[tuple[str, str]]:
    return [("", "New session")] + [
        (
            row["session_id"],
            f"{row['session_id']} · {row['exchanges']} so far, last {row['last']:%d %b %H:%M}",
        )
        for row in sessions
    ]


class PlaygroundForm(forms.Form):
    session = forms.ChoiceField(
        required=False,
        label="Session",
        help_text="Continue one of your recent sessions with this model, or start a new one.",
    )

    def __init__(self, *args, sessions: list[dict] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # Built here so the limit follows settings.GATEWAY_MAX_PROMPT_CHARS at run time.
        self.fields = {
            "prompt": forms.CharField(
                max_length=settings.GATEWAY_MAX_PROMPT_CHARS,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 5}),
            ),
            **self.fields,
        }
        self.fields["session"].choices = session_choices(sessions)

    def clean_prompt(self) -> str:
        prompt = self.cleaned_data["prompt"]
        if not prompt.strip():
            raise forms.ValidationError("Type a prompt for the model.")
        return prompt


@dataclass(frozen=True)
class Shown:
    """An exchange as the panel shows it, from a fresh call or from the history."""

    history_id: uuid.UUID
    session_id: str
    prompt: str
    response: str
    status: str
    latency_ms: int | None
    cost: Decimal

    @classmethod
    def from_exchange(cls, exchange: Exchange) -> "Shown":
        return cls(
            exchange.history_id,
            exchange.session_id,
            exchange.prompt,
            exchange.response,
            exchange.status,
            exchange.response_time_ms,
            exchange.cost,
        )

    @classmethod
    def from_history(cls, row: UserHistory) -> "Shown":
        return cls(
            row.history_id,
            row.session_id,
            row.prompt,
            row.response,
            row.status,
            row.response_time_ms,
            row.cost_incurred,
        )


def panel_context(
    request: HttpRequest,
    model: AIModel,
    *,
    form: PlaygroundForm | None = None,
    shown: Shown | None = None,
    error: dict | None = None,
) -> dict:
    """Everything the panel template needs; used by the view (htmx) and the model page's include."""
    user = request.user
    context = {"model": model, "form": form, "shown": shown, "error": error, "state": "ready"}
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
    if form is None or (shown is not None and error is None):
        # A fresh form after a successful run, continuing the session it used.
        form = PlaygroundForm(initial={"session": shown.session_id if shown else ""}, sessions=sessions)
    else:
        form.fields["session"].choices = session_choices(sessions)
    context["form"] = form
    return context


def panel_context_for_page(request: HttpRequest, model: AIModel) -> dict:
    """The panel inside the model page: the exchange named in ?exchange= if it is the user's, or the
    error and prompt left by a run without JavaScript."""
    if not (request.user.is_authenticated and request.user.is_verified):
        return panel_context(request, model)
    shown = None
    exchange_id = request.GET.get("exchange", "")
    try:
        exchange_id = uuid.UUID(exchange_id) if exchange_id else None
    except ValueError:
        exchange_id = None
    if exchange_id:
        row = UserHistory.objects.for_user(request.user).filter(pk=exchange_id, model=model).first()
        shown = Shown.from_history(row) if row else None
    form, error = None, None
    flash = request.session.get(FLASH_KEY)
    if flash and flash.get("api_name") == model.api_name:
        del request.session[FLASH_KEY]
        form = PlaygroundForm(
            {"prompt": flash["prompt"], "session": flash["session"]},
            sessions=recent_sessions(user=request.user, model=model),
        )
        form.is_valid()  # shows the field errors again beside the fields
        error = flash.get("error")
    return panel_context(request, model, form=form, shown=shown, error=error)


def _error_message(exc: GatewayError) -> dict:
    return {
        "title": ERROR_TITLES.get(exc.status, "Something went wrong."),
        "message": exc.message,
        "code": exc.code,
    }


def _respond(request, model, *, form=None, shown=None, error=None) -> HttpResponse:
    if request.headers.get("HX-Request") == "true":
        return render(
            request, PANEL_TEMPLATE, panel_context(request, model, form=form, shown=shown, error=error)
        )
    if error or (form is not None and form.errors):
        request.session[FLASH_KEY] = {
            "api_name": model.api_name,
            "prompt": form.data.get("prompt", "") if form is not None else "",
            "session": form.data.get("session", "") if form is not None else "",
            "error": error,
        }
    target = model.get_absolute_url()
    if shown is not None:
        target += f"?exchange={shown.history_id}"
    return redirect(target + "#playground")


@login_required
@require_POST
def playground_run(request: HttpRequest, api_name: str) -> HttpResponse:
    model = get_object_or_404(AIModel.objects.select_related("developer__user"), api_name=api_name)
    sessions = recent_sessions(user=request.user, model=model) if request.user.is_verified else []
    form = PlaygroundForm(request.POST, sessions=sessions)
    if not request.user.is_verified:
        error = {"title": "Verify your email first.", "message": "The playground is for verified accounts."}
        return _respond(request, model, form=form, error=error)
    if not form.is_valid():
        return _respond(request, model, form=form)
    result = playground_call(
        user=request.user,
        model=model,
        prompt=form.cleaned_data["prompt"],
        session_id=form.cleaned_data["session"] or None,
        ip=client_ip(request),
        request_size=int(request.headers.get("content-length") or 0),
    )
    if result.error is not None and result.error.status == 404:
        raise Http404("No such model.")
    # Upstream failures are in the history (shown with their message); refusals before the model (quota,
    # deprecated) leave none, and the message comes back with the typed prompt.
    shown = Shown.from_exchange(result.exchange) if result.exchange else None
    error = _error_message(result.error) if result.error else None
    return _respond(request, model, form=form, shown=shown, error=error)
