"""The API's media endpoints, in OpenAI's shapes so that its clients work unchanged: embeddings, image
generation, transcription and speech. A router of activity.api (errors in the API's shape).

Each is one call through the same pipeline as /invoke and chat (activity.gateway.pipeline): the same key
checks, credits, quota, records and error codes. The endpoint names the kind of output it answers with, so a
model that does not give it is refused with 400 unsupported_kind before anything counts; files are checked
from their bytes (activity.gateway.media); whatever shape the model's upstream speaks, the gateway turns the
call into it (activity.gateway.shapes).
"""

import array
import io
import sys
import wave
from base64 import b64encode
from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.http import parse_header_parameters
from ninja import Router

from activity.gateway.call import ApiCall, declared_length
from activity.gateway.errors import error
from activity.gateway.media import checked_file
from activity.gateway.openapi import CALL_STATUSES, call_openapi, json_body
from activity.gateway.pipeline import CallInput, Outcome
from activity.gateway.schemas import ErrorOut
from activity.gateway.schemas_media import (
    EmbeddingsIn,
    EmbeddingsOut,
    ImagesIn,
    ImagesOut,
    SpeechIn,
    TranscriptionOut,
)
from activity.gateway.streaming import words

router = Router(tags=["calls"])
ERRORS = {status: ErrorOut for status in CALL_STATUSES}
# The JSON bodies these endpoints validate themselves, published in the document (activity.api).
MEDIA_BODIES = (EmbeddingsIn, ImagesIn, SpeechIn)


def _json_call(request: HttpRequest, schema, read: Callable, answer: Callable[[Outcome, object], object]):
    """One call whose JSON body names its `model` (ApiCall.named_model_call), shaped once it is finished."""

    def finished(outcome: Outcome, body):
        outcome.finish()
        return answer(outcome, body)

    return ApiCall(request).named_model_call(schema, read, finished)


def _ids(outcome: Outcome) -> dict:
    assert outcome.forwarded is not None
    return {
        "id": str(outcome.origin.log_id),
        "model": outcome.model.api_name,
        "history_id": str(outcome.exchange.history_id) if outcome.exchange else None,
    }


def _float32_base64(values: tuple[float, ...]) -> str:
    packed = array.array("f", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return b64encode(packed.tobytes()).decode()


@router.post(
    "/embeddings",
    response={200: EmbeddingsOut, **ERRORS},
    summary="OpenAI-compatible embeddings",
    openapi_extra=call_openapi(json_body("EmbeddingsIn")),
)
def embeddings(request: HttpRequest):
    """`model` is the api_name of a model that gives vectors. One vector per input text, in order."""

    def read(body: EmbeddingsIn) -> CallInput:
        texts = (body.input,) if isinstance(body.input, str) else tuple(body.input)
        options = {"dimensions": body.dimensions} if body.dimensions else {}
        return CallInput(
            prompt=texts[0] if len(texts) == 1 else "\n".join(texts),
            parameters={},
            texts=texts,
            options=options,
            want="vector",
        )

    def answer(outcome: Outcome, body: EmbeddingsIn) -> dict:
        assert outcome.answer is not None and outcome.input is not None
        vectors = outcome.answer.of_kind("vector")
        tokens = sum(words(text) for text in outcome.input.texts or ())
        return {
            "object": "list",
            "data": [
                {
                    "object": "embedding",
                    "index": index,
                    "embedding": _float32_base64(vector.values or ())
                    if body.encoding_format == "base64"
                    else list(vector.values or ()),
                }
                for index, vector in enumerate(vectors)
            ],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens, "cost": float(outcome.forwarded.cost)},
            **_ids(outcome),
        }

    return _json_call(request, EmbeddingsIn, read, answer)


@router.post(
    "/images/generations",
    response={200: ImagesOut, **ERRORS},
    summary="OpenAI-compatible image generation",
    openapi_extra=call_openapi(json_body("ImagesIn")),
)
def image_generations(request: HttpRequest):
    """`model` is the api_name of a model that gives images; they come back as base64 PNG (`b64_json`)."""

    def read(body: ImagesIn) -> CallInput:
        if body.response_format == "url":
            raise error(
                "invalid_request",
                "response_format: images come back as b64_json; the platform keeps no public URL of them.",
            )
        options = {"n": body.n, **({"size": body.size} if body.size else {})}
        return CallInput(prompt=body.prompt, parameters={}, options=options, want="image")

    def answer(outcome: Outcome, body: ImagesIn) -> dict:
        assert outcome.answer is not None and outcome.forwarded is not None
        images = [output.file for output in outcome.answer.of_kind("image") if output.file is not None]
        return {
            "created": int(outcome.forwarded.request_timestamp.timestamp()),
            "data": [{"b64_json": b64encode(image.data).decode()} for image in images],
            "cost": float(outcome.forwarded.cost),
            **_ids(outcome),
        }

    return _json_call(request, ImagesIn, read, answer)


TRANSCRIPTION_FORMATS = ("json", "text", "verbose_json")


@router.post(
    "/audio/speech",
    response={200: None, **ERRORS},
    summary="OpenAI-compatible text to speech",
    openapi_extra=call_openapi(
        json_body("SpeechIn"),
        {
            "description": "The audio: WAV, or with response_format pcm its 16-bit samples alone. "
            "X-Call-Id and X-History-Id name the call and its history entry; X-Cost is what it cost.",
            "content": {
                "audio/wav": {"schema": {"type": "string", "format": "binary"}},
                "audio/pcm": {"schema": {"type": "string", "format": "binary"}},
            },
        },
    ),
)
def speech(request: HttpRequest):
    """`model` is the api_name of a model that gives audio; `input` is the text it speaks."""

    def read(body: SpeechIn) -> CallInput:
        options = {"voice": body.voice, **({"speed": body.speed} if body.speed is not None else {})}
        return CallInput(prompt=body.input, parameters={}, options=options, want="audio")

    def answer(outcome: Outcome, body: SpeechIn) -> HttpResponse:
        assert outcome.answer is not None and outcome.forwarded is not None
        audio = next(output.file for output in outcome.answer.of_kind("audio") if output.file is not None)
        data, content_type = audio.data, audio.mime
        if body.response_format == "pcm":
            data, content_type = _pcm(audio.data), "audio/pcm"
        response = HttpResponse(data, content_type=content_type)
        ids = _ids(outcome)
        response["X-Call-Id"] = ids["id"]
        if ids["history_id"]:
            response["X-History-Id"] = ids["history_id"]
        response["X-Cost"] = str(outcome.forwarded.cost)
        return response

    return _json_call(request, SpeechIn, read, answer)


def _pcm(wav_bytes: bytes) -> bytes:
    """A WAV's samples without its header."""
    with wave.open(io.BytesIO(wav_bytes)) as reader:
        return reader.readframes(reader.getnframes())


@router.post(
    "/audio/transcriptions",
    response={200: TranscriptionOut, **ERRORS},
    summary="OpenAI-compatible speech to text",
    openapi_extra=call_openapi(
        {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "model"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "WAV, MP3, Ogg, FLAC, WebM or M4A.",
                        },
                        "model": {"type": "string", "description": "The model's api_name."},
                        "language": {"type": "string"},
                        "prompt": {"type": "string"},
                        "response_format": {"type": "string", "enum": list(TRANSCRIPTION_FORMATS)},
                    },
                }
            }
        }
    ),
)
def transcriptions(request: HttpRequest):
    """An upload (multipart/form-data) of `file` with `model`, the api_name of a model that takes audio and
    gives text."""
    call = ApiCall(request)
    fields: dict = {}

    def read() -> CallInput:
        upload: UploadedFile | None = request.FILES.get("file")
        if upload is None:
            raise error("invalid_request", "file: the audio file is required (multipart/form-data).")
        if upload.size is not None and upload.size > settings.GATEWAY_MAX_FILE_BYTES:
            raise error(
                "media_too_large",
                f"file: the file has {upload.size:,} bytes; the limit is {settings.GATEWAY_MAX_FILE_BYTES:,}.",
            )
        audio = checked_file("audio", upload.read(), declared=upload.content_type, where="file")
        response_format = fields.get("response_format") or "json"
        if response_format not in TRANSCRIPTION_FORMATS:
            raise error("invalid_request", f"response_format: one of {', '.join(TRANSCRIPTION_FORMATS)}.")
        options = {name: fields[name] for name in ("language",) if fields.get(name)}
        return CallInput(
            prompt=fields.get("prompt") or "",
            history_prompt=f"[{audio.describe()}]" + (f" {fields['prompt']}" if fields.get("prompt") else ""),
            parameters={},
            files=(audio,),
            options=options,
            want="text",
        )

    def flow():
        media_type, _ = parse_header_parameters(request.META.get("CONTENT_TYPE") or "")
        if declared_length(request) > settings.GATEWAY_MAX_BODY_BYTES:
            raise error("request_too_large")
        name = None
        if media_type == "multipart/form-data":
            try:
                posted = request.POST
            except MultiPartParserError:
                posted = None
            if posted is None:
                call.load_model(None)
                raise error("invalid_request", "The multipart/form-data body cannot be read (its boundary?).")
            for key in ("model", "language", "prompt", "response_format"):
                value = posted.get(key)
                if value:
                    fields[key] = value
            name = fields.get("model")
        call.load_model(name)
        call.refuse_key_in_query()
        call.authenticate()
        if media_type != "multipart/form-data":
            raise error(
                "invalid_request", "Send the audio as multipart/form-data with a `file` and a `model`."
            )
        if not name:
            raise error("invalid_request", "model: the model's api_name is required.")
        outcome = call.run(read)
        outcome.finish()
        assert outcome.answer is not None
        text = outcome.answer.text
        if fields.get("response_format") == "text":
            return HttpResponse(text, content_type="text/plain; charset=utf-8")
        assert outcome.forwarded is not None
        return {"text": text, "cost": float(outcome.forwarded.cost), **_ids(outcome)}

    return call.respond(flow)
