"""Request and response shapes of the media endpoints: OpenAI's, so that its clients work unchanged."""

from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from activity.gateway.schemas import NUL_FREE, Text

MAX_EMBEDDING_INPUTS = 256
EmbeddingTexts = Annotated[
    list[Annotated[str, NUL_FREE, StringConstraints(min_length=1)]],
    Field(min_length=1, max_length=MAX_EMBEDDING_INPUTS),
]


class EmbeddingsIn(BaseModel):
    """OpenAI's embeddings request. Other fields (user, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(description="The model's api_name.")
    input: Annotated[str, NUL_FREE, StringConstraints(min_length=1)] | EmbeddingTexts = Field(
        description=f"A text, or up to {MAX_EMBEDDING_INPUTS} texts (one vector each)."
    )
    dimensions: int | None = Field(
        default=None, ge=1, le=8192, description="The vectors' length, if the model lets it be chosen."
    )
    encoding_format: Literal["float", "base64"] = Field(
        default="float",
        description="base64: each vector as little-endian float32 bytes (what OpenAI's clients ask for).",
    )

    @field_validator("input")
    @classmethod
    def _texts(cls, value: str | list[str]) -> str | list[str]:
        texts = [value] if isinstance(value, str) else value
        if not texts:
            raise ValueError("send at least one text")
        if len(texts) > MAX_EMBEDDING_INPUTS:
            raise ValueError(f"at most {MAX_EMBEDDING_INPUTS} texts per call")
        if any(not text for text in texts):
            raise ValueError("texts must not be empty")
        if any("\x00" in text for text in texts):
            raise ValueError("must not contain NUL (U+0000) characters")
        return value


class Embedding(Schema):
    object: Literal["embedding"]
    index: int
    embedding: list[float] | str = Field(description="The vector, or its float32 bytes in base64.")


class EmbeddingsUsage(Schema):
    prompt_tokens: int
    total_tokens: int
    cost: float = Field(description="Charged for this call.")


class EmbeddingsOut(Schema):
    object: Literal["list"]
    data: list[Embedding]
    model: str
    usage: EmbeddingsUsage
    id: UUID = Field(description="The call's id (its api_usage_logs row).")
    history_id: UUID | None


class ImagesIn(BaseModel):
    """OpenAI's image generation request; images come back as `b64_json`."""

    model_config = ConfigDict(extra="allow")

    model: str
    prompt: Text = Field(min_length=1)
    n: int = Field(default=1, ge=1, le=4)
    size: str | None = Field(default=None, pattern=r"^[0-9]{2,4}x[0-9]{2,4}$", examples=["512x512"])
    response_format: Literal["b64_json", "url"] | None = Field(
        default=None, description="b64_json only: the platform keeps no public URL of anyone's image."
    )


class GeneratedImage(Schema):
    b64_json: str
    revised_prompt: str | None = None


class ImagesOut(Schema):
    created: int
    data: list[GeneratedImage]
    id: UUID
    model: str
    history_id: UUID | None
    cost: float


class SpeechIn(BaseModel):
    """OpenAI's speech request; the answer is the audio's bytes."""

    model_config = ConfigDict(extra="allow")

    model: str
    input: Text = Field(min_length=1, max_length=4096)
    voice: str = Field(default="alloy", max_length=100)
    response_format: Literal["wav", "pcm"] | None = Field(
        default=None, description="wav (the default) or pcm (its 16-bit samples, no header)."
    )
    speed: float | None = Field(default=None, ge=0.25, le=4.0)


class TranscriptionOut(Schema):
    text: str
    id: UUID
    model: str
    history_id: UUID | None
    cost: float
