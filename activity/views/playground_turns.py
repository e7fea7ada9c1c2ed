"""The playground's turns and forms: a turn as the panel shows it (from a fresh call or the history), the
conversation of one session, the session picker, and the form of the next turn, which makes the call's
input (activity.views.playground is the views; activity.views.playground_kinds what each kind adds)."""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.conf import settings
from django.template.defaultfilters import pluralize

from activity.gateway.pipeline import CallInput
from activity.gateway.records import Exchange
from activity.models import CallMedia, HistoryStatus, UserHistory
from activity.views.playground_kinds import (
    PanelKinds,
    chat_parts,
    checked_upload,
    labels_shown,
    without_summaries,
)
from catalog.models import AIModel

# The newest turns of a session the panel shows; older ones are in the history.
TURNS_SHOWN = 50
# Earlier turns sent to a chat upstream as context, newest first, while they fit in the prompt limit.
CONTEXT_TURNS = 20
SYSTEM_PROMPT_CHARS = 4000
MAX_TOKENS_LIMIT = 8192
SETTING_FIELDS = ("system", "temperature", "max_tokens")


@dataclass(frozen=True)
class Shown:
    """One turn as the panel shows it, from a fresh call or from the history."""

    history_id: uuid.UUID
    session_id: str
    prompt: str
    response: str
    status: str
    latency_ms: int | None
    cost: Decimal
    # Filled in by the panel: the files kept with the entry (sent, answered) and its vectors' and labels'
    # figures (activity.views.playground_kinds).
    sent: tuple[CallMedia, ...] = ()
    answered: tuple[CallMedia, ...] = ()
    result: dict | None = None

    @property
    def prompt_text(self) -> str:
        return without_summaries(self.prompt) if self.sent else self.prompt

    @property
    def response_text(self) -> str:
        """The answer's text; the summary lines of its files and figures are left out where those are shown."""
        return without_summaries(self.response) if self.answered or self.result else self.response

    @property
    def labels(self) -> list[dict]:
        return labels_shown(self.result["labels"]) if self.result and self.result.get("labels") else []

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


@dataclass
class Conversation:
    """The turns of one session shown in the panel; session_id None is a new chat."""

    session_id: str | None = None
    turns: list[Shown] = field(default_factory=list)
    older: bool = False  # the session has turns before these

    def add(self, shown: Shown) -> "Conversation":
        return Conversation(shown.session_id, [*self.turns, shown], self.older)


def conversation_for(*, user, model: AIModel, session_id: str | None) -> Conversation:
    """The newest TURNS_SHOWN turns of the user's session with the model, oldest first; a new chat when the
    session is not theirs (or has no turns with this model)."""
    if not session_id:
        return Conversation()
    rows = list(
        UserHistory.objects.for_user(user)
        .filter(model=model, session_id=session_id)
        .order_by("-request_timestamp")[: TURNS_SHOWN + 1]
    )
    if not rows:
        return Conversation()
    older = len(rows) > TURNS_SHOWN
    turns = [Shown.from_history(row) for row in reversed(rows[:TURNS_SHOWN])]
    return Conversation(session_id, turns, older)


def session_choices(sessions: list[dict], current: str | None = None) -> list[tuple[str, str]]:
    choices = [("", "New chat")] + [
        (
            row["session_id"],
            f"{row['last']:%d %b %H:%M} · {row['exchanges']} turn{pluralize(row['exchanges'])} · "
            f"{row['session_id']}",
        )
        for row in sessions
    ]
    if current and all(value != current for value, _ in choices):
        choices.insert(1, (current, current))  # an older session opened from its address
    return choices


class SessionPickForm(forms.Form):
    """Which conversation the panel shows: a GET form to the model page."""

    session = forms.ChoiceField(required=False, label="Session")

    def __init__(self, *args, sessions: list[dict] = (), current: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = session_choices(list(sessions), current)


class PlaygroundForm(forms.Form):
    """A turn: the prompt, a file (models that take images or audio), a second text to compare with
    (models that give vectors), the session it continues (none: a new chat) and the settings.

    Given the user and the model, validating the session also loads its turns (`conversation`), which the
    view shows and sends as context. The file is checked by the gateway when the call runs (`read_files`),
    so that a bad file gets the API's message.
    """

    session = forms.CharField(
        required=False, max_length=100, widget=forms.HiddenInput(attrs={"id": "id_run_session"})
    )
    system = forms.CharField(
        required=False,
        label="System message",
        max_length=SYSTEM_PROMPT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Instructions the model gets before the conversation (chat models).",
    )
    temperature = forms.FloatField(
        required=False,
        min_value=0,
        max_value=2,
        widget=forms.NumberInput(attrs={"step": "0.1", "placeholder": "model default"}),
        help_text="From 0 (focused) to 2 (varied).",
        error_messages={
            "invalid": "Temperature is a number from 0 to 2.",
            "min_value": "Temperature is a number from 0 to 2.",
            "max_value": "Temperature is a number from 0 to 2.",
        },
    )
    max_tokens = forms.IntegerField(
        required=False,
        label="Maximum length",
        min_value=1,
        max_value=MAX_TOKENS_LIMIT,
        widget=forms.NumberInput(attrs={"placeholder": "model default"}),
        help_text=f"Tokens in the answer, 1 to {MAX_TOKENS_LIMIT}.",
        error_messages={
            "invalid": f"Maximum length is a whole number of tokens from 1 to {MAX_TOKENS_LIMIT}.",
            "min_value": f"Maximum length is a whole number of tokens from 1 to {MAX_TOKENS_LIMIT}.",
            "max_value": f"Maximum length is a whole number of tokens from 1 to {MAX_TOKENS_LIMIT}.",
        },
    )

    def __init__(self, *args, user=None, model: AIModel | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.model = user, model
        self.conversation = Conversation()
        # Built here so the limit follows settings.GATEWAY_MAX_PROMPT_CHARS at run time.
        self.kinds = PanelKinds.of(model) if model is not None else None
        self.fields = {
            "prompt": forms.CharField(
                required=False,
                max_length=settings.GATEWAY_MAX_PROMPT_CHARS,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            ),
            "file": forms.FileField(required=False, allow_empty_file=True),
            "compare": forms.CharField(
                required=False,
                label="Compare with",
                max_length=settings.GATEWAY_MAX_PROMPT_CHARS,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="A second text: both are embedded in one call and compared.",
            ),
            **self.fields,
        }

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        prompt, upload = cleaned.get("prompt"), cleaned.get("file")
        if "prompt" in self.errors or self.kinds is None:
            return cleaned
        if self.kinds.takes_text and not (prompt or "").strip() and not (upload and self.kinds.file_kinds):
            self.add_error("prompt", "Type a prompt for the model.")
        elif not self.kinds.takes_text and not upload:
            self.add_error("file", f"Choose a file for the model ({self.kinds.accept}).")
        if not self.kinds.compares:
            cleaned["compare"] = ""
        return cleaned

    def read_files(self) -> tuple:
        """The uploaded file, checked by the gateway (a GatewayError for a bad one); () without one."""
        upload = self.cleaned_data.get("file")
        if not upload or self.kinds is None:
            return ()
        return (checked_upload(upload, self.kinds),)

    def clean_session(self) -> str:
        session_id = self.cleaned_data["session"]
        if session_id and self.user is not None and self.model is not None:
            self.conversation = conversation_for(user=self.user, model=self.model, session_id=session_id)
            if self.conversation.session_id is None:
                raise forms.ValidationError(
                    "Select a valid choice: that is not one of your sessions with this model."
                )
        return session_id

    def settings_values(self) -> dict:
        """The settings as the session keeps them and the next form shows them."""
        values = {name: self.cleaned_data.get(name) for name in SETTING_FIELDS}
        return {name: value for name, value in values.items() if value not in (None, "")}

    def call_input(self, *, chat: bool, stream: bool) -> CallInput:
        """The call's input: the prompt and settings, the file (checked here, inside the gateway's read), and
        for "Compare with" the two texts in one embeddings call."""
        files = self.read_files()
        prompt = self.cleaned_data["prompt"] or ""
        parameters, messages = self.call_inputs(chat=chat, files=files)
        described = " ".join(f"[{media.describe()}]" for media in files)
        compare = self.cleaned_data.get("compare") or ""
        texts = (prompt, compare) if compare.strip() else None
        return CallInput(
            prompt=f"{prompt}\n{compare}" if texts else prompt,
            history_prompt=f"{prompt}\n\nCompared with:\n{compare}"
            if texts
            else (f"{prompt}\n{described}".strip() if files else None),
            parameters=parameters,
            messages=messages,
            session_id=self.cleaned_data["session"] or None,
            stream=stream,
            files=files,
            texts=texts,
            want="vector" if texts else None,
        )

    def call_inputs(self, *, chat: bool, files: tuple = ()) -> tuple[dict, list[dict] | None]:
        """(parameters, messages) for the call. A chat upstream gets the system prompt and the earlier
        completed turns as messages (the files as content parts of the last), and temperature and max_tokens
        beside them; a plain upstream gets the prompt alone, with every setting in `parameters`."""
        values = self.settings_values()
        system = values.pop("system", "")
        prompt = self.cleaned_data["prompt"] or ""
        if not chat:
            return self.settings_values(), None
        budget = settings.GATEWAY_MAX_PROMPT_CHARS - len(prompt) - len(system)
        context: list[dict] = []
        answered = [turn for turn in self.conversation.turns if turn.status == HistoryStatus.COMPLETED]
        for turn in reversed(answered[-CONTEXT_TURNS:]):
            budget -= len(turn.prompt) + len(turn.response)
            if budget < 0:
                break
            context[:0] = [
                {"role": "user", "content": turn.prompt},
                {"role": "assistant", "content": turn.response},
            ]
        head = [{"role": "system", "content": system}] if system else []
        return values, [*head, *context, {"role": "user", "content": chat_parts(prompt, files)}]
