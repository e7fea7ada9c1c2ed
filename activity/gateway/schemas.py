"""Request and response shapes of the JSON API: they validate input and publish the OpenAPI document.

Request bodies are plain pydantic models (validated by the views, which log every outcome); ninja's Schema
would drop the extra fields that chat completions pass on to the upstream.
"""

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from catalog.filters import MAX_TAGS
from catalog.models import Category

if TYPE_CHECKING:
    CategoryValue = str  # the Literal below is built at run time, from the choices
else:
    CategoryValue = Literal[tuple(value for value, _ in Category.choices)]
SortValue = Literal["relevance", "rating", "popular", "newest", "name", "price"]


def _without_nul(value: str) -> str:
    # PostgreSQL text cannot hold U+0000: a prompt or session id with one could not enter the history.
    if "\x00" in value:
        raise ValueError("must not contain NUL (U+0000) characters")
    return value


class NulFreeInSchema:
    """Publishes "no U+0000" in the JSON schema as a pattern; the validators enforce it with a clearer
    message (_without_nul for request fields, django-filter for the catalog's query)."""

    PATTERN = "^[^\\u0000]*$"

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict:
        schema = handler(core_schema)
        schema["pattern"] = self.PATTERN
        return schema


NUL_FREE = NulFreeInSchema()
Text = Annotated[str, AfterValidator(_without_nul), NUL_FREE]


class ErrorDetail(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. quota_exceeded.")
    message: str = Field(description="What went wrong, for people.")
    replacement: str | None = Field(
        None,
        description="model_deprecated only: the api_name of the model its developer names as the "
        "replacement, null without one.",
    )


class ErrorOut(Schema):
    error: ErrorDetail


class InvokeFile(BaseModel):
    """A file sent to /invoke, in the plain upstream protocol's shape."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["image", "audio", "text"]
    mime: str | None = Field(
        default=None, max_length=100, description="Its type, e.g. image/png; checked against its bytes."
    )
    data: str = Field(min_length=1, description="The file's bytes in base64, or a data: URI.")


class InvokeIn(BaseModel):
    # A prompt, inputs, or both: said in the schema as well as checked (_something_to_send).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["prompt"], "properties": {"prompt": {"minLength": 1}}},
                {"required": ["inputs"], "properties": {"inputs": {"minItems": 1}}},
            ]
        },
    )

    prompt: Text = Field(
        default="", description="The text sent to the model; may be empty when `inputs` carry the call."
    )
    inputs: list[InvokeFile] = Field(
        default_factory=list,
        max_length=16,
        description="Files for models that take images or audio (see the model's `takes`).",
    )
    session_id: Text | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Groups calls in the history; one is made when absent.",
    )
    parameters: dict[str, Any] = Field(default_factory=dict, description="Passed to the upstream unchanged.")

    @model_validator(mode="after")
    def _something_to_send(self) -> "InvokeIn":
        if not self.inputs and not self.prompt:
            raise ValueError("prompt: send a prompt, inputs, or both")
        return self

    stream: bool = Field(
        default=False,
        description="Answer with Server-Sent Events as the upstream sends the text: InvokeStreamPiece events, "
        "then InvokeStreamEnd, then `data: [DONE]` (or one InvokeStreamError event).",
    )


class OutputItem(Schema):
    """One thing an answer carries: `text`; `image` or `audio` with `mime` and base64 `data`; `vector` with
    `values`; or `labels`, a list of `{label, score}` best first."""

    type: Literal["text", "image", "audio", "vector", "labels"]
    text: str | None = None
    mime: str | None = None
    data: str | None = None
    values: list[float] | None = None
    labels: list[dict] | None = None


class InvokeOut(Schema):
    id: UUID = Field(description="The call's id (its api_usage_logs row).")
    object: Literal["invocation"]
    created: int = Field(description="Unix time of the call.")
    model: str
    response: str
    session_id: str
    history_id: UUID | None = Field(description="The user_history row; null for a model key's own calls.")
    latency_ms: int = Field(description="Time spent in the platform and the upstream.")
    cost: float = Field(
        description="Charged for this call: the model's price on success with a personal key."
    )
    outputs: list[OutputItem] = Field(
        description="Everything the answer carries, the text included; images and audio in base64."
    )


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["text"]
    text: Annotated[str, NUL_FREE]


class ImageUrl(BaseModel):
    model_config = ConfigDict(extra="allow")

    url: str = Field(description="A data: URI (data:image/png;base64,…); the platform fetches no URL.")
    detail: str | None = None


class ImagePart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["image_url"]
    image_url: ImageUrl


class InputAudio(BaseModel):
    model_config = ConfigDict(extra="allow")

    data: str = Field(min_length=1, description="The audio's bytes in base64.")
    format: Literal["wav", "mp3", "flac", "ogg", "webm", "m4a", "mp4"]


class AudioPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["input_audio"]
    input_audio: InputAudio


# A part of a message's content: text, an image (a data: URI) or audio (base64 with its format).
ChatContentPart = Annotated[TextPart | ImagePart | AudioPart, Field(discriminator="type")]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: Annotated[str, NUL_FREE] | list[ChatContentPart] | None = None

    @field_validator("content")
    @classmethod
    def _content_without_nul(
        cls, content: str | list[ChatContentPart] | None
    ) -> str | list[ChatContentPart] | None:
        # Checked on the whole field so that an error names messages.N.content, whatever its shape.
        parts = content if isinstance(content, list) else [content]
        for part in parts:
            _without_nul(
                (part.text if isinstance(part, TextPart) else part if isinstance(part, str) else "") or ""
            )
        return content

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content if isinstance(part, TextPart))
        return self.content or ""


class ChatStreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = Field(
        default=False, description="Send a last chunk with no choices and the usage, cost included."
    )


class ChatIn(BaseModel):
    """OpenAI chat-completion request. Other fields (temperature, max_tokens, …) go to the upstream."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(description="The model's api_name.")
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = Field(
        default=False,
        description="Answer with Server-Sent Events in OpenAI's chunk format (ChatCompletionChunk), "
        "ending with `data: [DONE]`.",
    )
    stream_options: ChatStreamOptions | None = None
    session_id: Text | None = Field(default=None, min_length=1, max_length=100)


class ChatAnswerMessage(Schema):
    role: Literal["assistant"]
    content: str


class ChatChoice(Schema):
    index: int
    message: ChatAnswerMessage
    finish_reason: Literal["stop"]


class ChatUsage(Schema):
    prompt_tokens: int = Field(description="The upstream's figure, or a word count when it gives none.")
    completion_tokens: int
    total_tokens: int
    cost: float = Field(description="Charged for this call, as in the invoke answer.")


class ChatOut(Schema):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage
    session_id: str
    history_id: UUID | None


class InvokeStreamPiece(Schema):
    """An event of a streamed invoke: the next piece of the answer, as the upstream sent it."""

    response: str


class InvokeStreamEnd(Schema):
    """The last event of a streamed invoke the upstream finished, before `data: [DONE]`."""

    id: UUID = Field(description="The call's id (its api_usage_logs row).")
    object: Literal["invocation.end"]
    created: int
    model: str
    session_id: str
    history_id: UUID | None
    latency_ms: int = Field(description="From the call's arrival to the answer's end.")
    first_chunk_ms: int | None = Field(description="From the call's arrival to the answer's first piece.")
    cost: float


class InvokeStreamError(Schema):
    """The last event of a streamed invoke the upstream broke off (502/504 codes); no [DONE] follows."""

    error: ErrorDetail
    id: UUID
    session_id: str
    history_id: UUID | None
    latency_ms: int


class ChatChunkDelta(Schema):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChatChunkChoice(Schema):
    index: int
    delta: ChatChunkDelta
    finish_reason: Literal["stop", "length", "content_filter"] | None


class ChatCompletionChunk(Schema):
    """An event of a streamed chat completion. The chunk with `finish_reason` and the usage chunk also carry
    `session_id` and `history_id`; an upstream failure on the way ends the stream with `{"error": {...}}`."""

    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[ChatChunkChoice]
    usage: ChatUsage | None = None
    session_id: str | None = None
    history_id: UUID | None = None


class KeyOut(Schema):
    kind: Literal["model", "personal"]
    key_prefix: str
    model: str | None = Field(description="For a model key, the one model it calls.")
    limit: int | None = Field(
        description="The developer's monthly quota (model keys); null for personal keys."
    )
    used: int = Field(
        description="Model key: the developer's forwarded calls this month. Personal key: its own."
    )
    remaining: int | None
    reset: int = Field(description="Unix time of the next month start (UTC), when quotas reset.")
    reset_at: datetime
    quota_scope: Literal["developer"]
    note: str
    balance: Decimal | None = Field(
        None,
        description="Personal key: its user's credit balance. Null for model keys (their calls are free).",
    )
    spend_limit: Decimal | None = Field(
        None, description="Personal key: the credits it may spend per period; null for no limit."
    )
    limit_period: Literal["day", "week", "month", "none"] | None = Field(
        None, description="Personal key: when its spending limit resets (UTC); none: never."
    )
    spent: Decimal | None = Field(None, description="Personal key: credits spent in the current period.")
    spend_remaining: Decimal | None = Field(
        None, description="Personal key: what it may still spend in this period; null for no limit."
    )
    spend_reset_at: datetime | None = Field(
        None, description="Personal key: when its spending period restarts; null when it never does."
    )
    expires_at: datetime | None = Field(None, description="Personal key: when it stops working, if set.")


RATING_IN_SCHEMA = {"type": "string", "pattern": "^(?:[0-4](?:\\.[0-9]+)?|5(?:\\.0+)?)$", "examples": ["4"]}
PRICE_IN_SCHEMA = {"type": "string", "pattern": "^[0-9]{1,6}(?:\\.[0-9]{1,4})?$", "examples": ["0.05"]}


class ModelsQuery(Schema):
    """The catalog page's filters (see catalog.filters.AIModelFilter), plus pagination."""

    q: Annotated[str, NUL_FREE] | None = Field(default=None, max_length=200, description="Full-text search.")
    category: CategoryValue | None = None
    tag: list[Annotated[str, Field(max_length=50), NUL_FREE]] = Field(
        default_factory=list,
        max_length=MAX_TAGS,
        description=f"Repeat for several tags (at most {MAX_TAGS}); models carry them all.",
    )
    developer: Annotated[str, NUL_FREE] | None = Field(
        default=None, max_length=150, description="A developer's username."
    )
    # Decimals in the query string: the document shows the plain notation the filters take (prices to
    # four decimal places, at most ten digits); validation is the filters' own.
    min_rating: Annotated[Decimal | None, WithJsonSchema(RATING_IN_SCHEMA)] = Field(default=None, ge=0, le=5)
    min_price: Annotated[Decimal | None, WithJsonSchema(PRICE_IN_SCHEMA)] = Field(default=None, ge=0)
    max_price: Annotated[Decimal | None, WithJsonSchema(PRICE_IN_SCHEMA)] = Field(default=None, ge=0)
    sort: SortValue | None = Field(default=None, description="Default: relevance with q, else popular.")
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=20, ge=1, le=100)


class DeveloperOut(Schema):
    username: str
    company_name: str


class ModelStatsOut(Schema):
    """A model's public figures over the last 30 days: calls forwarded to its upstream only; calls the
    platform refused (bad requests, keys, credits, limits, quota) never count."""

    calls_30d: int
    success_rate_30d: float | None = Field(
        description="Share of forwarded calls answered, 0–1; null without calls."
    )
    p50_latency_ms_30d: float | None = Field(
        description="Typical latency of forwarded calls; null without calls."
    )


class ModelOut(Schema):
    """A catalog entry, which is also an OpenAI model object (id, object, created, owned_by)."""

    id: str = Field(description="The model's api_name, as OpenAI clients name models.")
    object: Literal["model"]
    created: int = Field(description="Unix time the model was listed.")
    owned_by: str = Field(description="The developer's username.")
    api_name: str
    display_name: str
    description: str
    category: str
    tags: list[str]
    price_per_request: float
    average_rating: float
    rating_count: int
    total_requests: int
    total_users: int
    created_at: datetime
    developer: DeveloperOut
    page_url: str
    invoke_url: str
    stats: ModelStatsOut
    sunset_at: datetime | None = Field(
        description="Deprecated with notice: the model answers until this moment, then 410 Gone; null for "
        "a model that is not deprecated."
    )
    replacement: str | None = Field(
        description="Deprecated with notice: the api_name of the model that replaces it, if its developer "
        "names one."
    )


class ModelsPage(Schema):
    """A page of the catalog, which is also an OpenAI model list: `data` and `results` hold the same
    entries (`data` for OpenAI clients, `results` with the page fields for the catalog's own clients)."""

    object: Literal["list"]
    data: list[ModelOut]
    count: int
    page: int
    page_size: int
    num_pages: int
    next: str | None
    previous: str | None
    results: list[ModelOut]
