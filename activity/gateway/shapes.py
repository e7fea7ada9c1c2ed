"""The upstream protocol's shapes: what the gateway sends a model's upstream, and how it reads the answer.

The shape follows the end of the model's endpoint URL (README, "Upstream protocol"):

| endpoint ends in          | request                                               | answer                      |
| ------------------------- | ----------------------------------------------------- | --------------------------- |
| anything else (plain)     | `{"prompt", "parameters", "inputs"?}`                 | `{"response"?, "outputs"?}` |
| `/chat/completions`       | OpenAI chat completion (content parts as sent)        | OpenAI chat completion      |
| `/embeddings`             | `{"model", "input": [texts], "dimensions"?}`          | OpenAI embedding list       |
| `/images/generations`     | `{"model", "prompt", "n", "size"?, "response_format": "b64_json"}` | `{"data": [{"b64_json"}]}` |
| `/audio/transcriptions`   | multipart/form-data: `file`, `model`, `language`?, `prompt`? | `{"text"}`            |
| `/audio/speech`           | `{"model", "input", "voice", "response_format": "wav", "speed"?}` | the audio's bytes  |

Whatever the caller used (/invoke, chat, embeddings, images, audio), the gateway speaks the upstream's shape:
an /invoke of an image model whose endpoint ends in /images/generations sends the prompt there, and an
embeddings call of a plain upstream sends each text as a plain call's `inputs`. Answers become Outputs
(activity.gateway.media), each typed from its bytes.
"""

import json
import math
from base64 import b64encode
from dataclasses import dataclass, field
from typing import Any

from urllib3 import encode_multipart_formdata

from activity.gateway.errors import GatewayError, error
from activity.gateway.media import MediaFile, checked_output, decode_base64

PLAIN = "plain"
CHAT = "chat"
EMBEDDINGS = "embeddings"
IMAGES = "images"
TRANSCRIPTIONS = "transcriptions"
SPEECH = "speech"
SUFFIXES = {
    "/chat/completions": CHAT,
    "/embeddings": EMBEDDINGS,
    "/images/generations": IMAGES,
    "/audio/transcriptions": TRANSCRIPTIONS,
    "/audio/speech": SPEECH,
}
CHAT_SUFFIX = "/chat/completions"
# Chat parameters the gateway sets itself.
CHAT_RESERVED = {"model", "messages", "stream", "stream_options"}
JSON_TYPE = "application/json"
MAX_LABELS = 100


def shape_of(endpoint_url: str) -> str:
    path = endpoint_url.split("?", 1)[0].rstrip("/")
    for suffix, shape in SUFFIXES.items():
        if path.endswith(suffix):
            return shape
    return PLAIN


def is_chat_endpoint(endpoint_url: str) -> bool:
    return shape_of(endpoint_url) == CHAT


@dataclass(frozen=True)
class Output:
    """One thing an answer carries: text, an image or audio file, a vector, or labels with scores."""

    kind: str
    text: str | None = None
    file: MediaFile | None = None
    values: tuple[float, ...] | None = None
    labels: tuple[tuple[str, float], ...] | None = None

    def as_json(self) -> dict:
        """As /invoke answers it (the plain protocol's shape)."""
        if self.file is not None:
            return {"type": self.kind, "mime": self.file.mime, "data": b64encode(self.file.data).decode()}
        if self.values is not None:
            return {"type": "vector", "values": list(self.values)}
        if self.labels is not None:
            return {
                "type": "labels",
                "labels": [{"label": label, "score": score} for label, score in self.labels],
            }
        return {"type": "text", "text": self.text or ""}

    def summary(self) -> str:
        """One line for the history: the text itself, or what the output is."""
        if self.file is not None:
            return f"[{self.file.describe()}]"
        if self.values is not None:
            first = ", ".join(f"{value:.4f}" for value in self.values[:4])
            return f"[vector of {len(self.values)} dimensions: {first}, …]"
        if self.labels is not None:
            return "[labels: " + ", ".join(f"{label} {score:.2f}" for label, score in self.labels[:5]) + "]"
        return self.text or ""


@dataclass(frozen=True)
class UpstreamAnswer:
    text: str
    usage: dict[str, Any] | None = None
    outputs: tuple[Output, ...] = ()

    @property
    def files(self) -> tuple[MediaFile, ...]:
        return tuple(output.file for output in self.outputs if output.file is not None)

    def of_kind(self, kind: str) -> list[Output]:
        return [output for output in self.outputs if output.kind == kind]

    @property
    def history_text(self) -> str:
        """What the user's history keeps as the response: the text, then a line per other output."""
        lines = [self.text] if self.text else []
        lines += [output.summary() for output in self.outputs if output.kind != "text" or not self.text]
        return "\n".join(lines)


@dataclass(frozen=True)
class Outgoing:
    """A request body for an upstream and its Content-Type."""

    body: bytes
    content_type: str = JSON_TYPE


@dataclass(frozen=True)
class UpstreamCall:
    """What the gateway forwards, whatever the upstream's shape: the prompt (a chat's conversation
    flattened), parameters passed on, the conversation, the caller's files, the texts of an embeddings call,
    and the options of a media call (dimensions, n, size, voice, speed, language)."""

    model_name: str
    prompt: str
    parameters: dict
    messages: list[dict] | None = None
    files: tuple[MediaFile, ...] = ()
    texts: tuple[str, ...] | None = None
    options: dict = field(default_factory=dict)


def _storable(text: str) -> str:
    """The answer without U+0000, which PostgreSQL text cannot hold, and with any lone surrogate (from an
    escape like \\ud800 in the upstream's JSON, which no UTF-8 can carry) replaced by "?": the history keeps
    every answer, and the caller is sent it as UTF-8."""
    text = text.replace("\x00", "")
    try:
        text.encode()
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode()
    return text


def encode_payload(payload: dict) -> bytes:
    """Compact UTF-8 JSON; NaN and infinity are refused (ValueError): they are not JSON, and an upstream
    may not parse them."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def build_payload(
    *,
    endpoint_url: str,
    model_name: str,
    prompt: str,
    parameters: dict,
    messages: list[dict] | None,
    stream: bool = False,
    files: tuple[MediaFile, ...] = (),
) -> dict:
    """The JSON body of a plain or chat call."""
    payload: dict[str, Any]
    if not is_chat_endpoint(endpoint_url):
        payload = {"prompt": prompt, "parameters": parameters}
        if files:
            payload["inputs"] = [media.as_upstream() for media in files]
        return {**payload, "stream": True} if stream else payload
    extra = {key: value for key, value in parameters.items() if key not in CHAT_RESERVED}
    payload = {
        "model": model_name,
        "messages": messages if messages else [{"role": "user", "content": prompt}],
        **extra,
        "stream": stream,
    }
    if stream:
        # The token counts come in a last chunk only when asked for.
        payload["stream_options"] = {"include_usage": True}
    return payload


def encode_request(*, endpoint_url: str, call: UpstreamCall, stream: bool = False) -> Outgoing:
    """The request an upstream of this endpoint's shape is sent for `call`."""
    shape = shape_of(endpoint_url)
    options = call.options
    if shape in (PLAIN, CHAT):
        files = call.files
        if shape == PLAIN and call.texts is not None and len(call.texts) > 1:
            text_inputs = tuple(call.texts)
            payload = build_payload(
                endpoint_url=endpoint_url,
                model_name=call.model_name,
                prompt=call.prompt,
                parameters={**call.parameters, **options},
                messages=None,
                stream=stream,
            )
            payload["inputs"] = [
                {"type": "text", "mime": "text/plain", "data": b64encode(text.encode()).decode()}
                for text in text_inputs
            ]
            return Outgoing(encode_payload(payload))
        payload = build_payload(
            endpoint_url=endpoint_url,
            model_name=call.model_name,
            prompt=call.prompt,
            parameters={**call.parameters, **options} if shape == PLAIN else call.parameters,
            messages=call.messages,
            stream=stream,
            files=files,
        )
        return Outgoing(encode_payload(payload))
    if shape == EMBEDDINGS:
        payload = {"model": call.model_name, "input": list(call.texts or (call.prompt,))}
        if options.get("dimensions"):
            payload["dimensions"] = options["dimensions"]
        return Outgoing(encode_payload(payload))
    if shape == IMAGES:
        payload = {"model": call.model_name, "prompt": call.prompt, "n": options.get("n", 1)}
        if options.get("size"):
            payload["size"] = options["size"]
        return Outgoing(encode_payload({**payload, "response_format": "b64_json"}))
    if shape == SPEECH:
        payload = {
            "model": call.model_name,
            "input": call.prompt,
            "voice": options.get("voice") or "alloy",
            "response_format": "wav",
        }
        if options.get("speed") is not None:
            payload["speed"] = options["speed"]
        return Outgoing(encode_payload(payload))
    # TRANSCRIPTIONS: the first audio file, as OpenAI's clients upload it.
    audio = next((media for media in call.files if media.kind == "audio"), None)
    if audio is None:
        raise error("invalid_request", "This model transcribes audio: send an audio file.")
    fields: list[tuple[str, Any]] = [
        ("file", (f"audio.{audio.extension}", audio.data, audio.mime)),
        ("model", call.model_name),
        ("response_format", "json"),
    ]
    for name in ("language", "prompt"):
        value = options.get(name) or (call.prompt if name == "prompt" else None)
        if value:
            fields.append((name, str(value)))
    body, content_type = encode_multipart_formdata(fields)
    return Outgoing(body, content_type)


def _invalid(detail: str = "") -> GatewayError:
    return error(
        "upstream_invalid_response",
        "The model's upstream answered with something other than the protocol"
        + (f": {detail}." if detail else "."),
    )


def _json(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise _invalid() from None
    if not isinstance(data, dict):
        raise _invalid()
    return data


def _vector(values: object) -> Output:
    if not isinstance(values, list) or not values or len(values) > 65_536:
        raise _invalid("a vector must be a list of numbers")
    try:
        floats = tuple(float(value) for value in values)
    except (TypeError, ValueError):
        raise _invalid("a vector must be a list of numbers") from None
    if not all(math.isfinite(value) for value in floats) or any(isinstance(v, bool) for v in values):
        raise _invalid("a vector must hold finite numbers")
    return Output(kind="vector", values=floats)


def _labels(items: object) -> Output:
    if not isinstance(items, list) or not items or len(items) > MAX_LABELS:
        raise _invalid("labels must be a list of {label, score}")
    labels = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            raise _invalid("labels must be a list of {label, score}")
        score = item.get("score")
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
            raise _invalid("a label's score is a number from 0 to 1")
        labels.append((_storable(item["label"])[:200], float(score)))
    labels.sort(key=lambda pair: -pair[1])
    return Output(kind="labels", labels=tuple(labels))


def _plain_output(item: object) -> Output:
    if not isinstance(item, dict):
        raise _invalid("each output is an object with a type")
    kind = item.get("type")
    if kind == "text":
        text = item.get("text")
        if not isinstance(text, str):
            raise _invalid("a text output has a text")
        return Output(kind="text", text=_storable(text))
    if kind in ("image", "audio"):
        try:
            data = decode_base64(item.get("data"), where="the answer")
        except GatewayError:
            raise _invalid(f"an {kind} output's data is base64") from None
        declared = item.get("mime") if isinstance(item.get("mime"), str) else None
        return Output(kind=kind, file=checked_output(kind, data, declared=declared))
    if kind == "vector":
        return _vector(item.get("values"))
    if kind == "labels":
        return _labels(item.get("labels"))
    raise _invalid("an output's type is text, image, audio, vector or labels")


def parse_answer(*, endpoint_url: str, body: bytes, content_type: str = JSON_TYPE) -> UpstreamAnswer:
    """The upstream's answer in one piece, read in its shape."""
    shape = shape_of(endpoint_url)
    if shape == SPEECH:
        declared = content_type.split(";")[0].strip().lower() or None
        if declared == JSON_TYPE:
            raise _invalid("the speech endpoint answered JSON, not audio")
        media = checked_output("audio", body, declared=declared)
        return UpstreamAnswer(text="", outputs=(Output(kind="audio", file=media),))
    data = _json(body)
    if shape == PLAIN:
        text = data.get("response")
        outputs = data.get("outputs")
        if text is None and outputs is None or text is not None and not isinstance(text, str):
            raise _invalid()
        if outputs is not None and not isinstance(outputs, list):
            raise _invalid("outputs is a list")
        parsed = tuple(_plain_output(item) for item in outputs or ())
        if len(parsed) > 64:
            raise _invalid("at most 64 outputs")
        if text is None:
            text = "\n".join(output.text or "" for output in parsed if output.kind == "text")
        text = _storable(text)
        if not parsed:
            parsed = (Output(kind="text", text=text),)
        return UpstreamAnswer(text=text, outputs=parsed)
    if shape == CHAT:
        try:
            text = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise _invalid() from None
        if not isinstance(text, str):
            raise _invalid()
        usage = data.get("usage")
        text = _storable(text)
        return UpstreamAnswer(
            text=text,
            usage=usage if isinstance(usage, dict) else None,
            outputs=(Output(kind="text", text=text),),
        )
    if shape == TRANSCRIPTIONS:
        text = data.get("text")
        if not isinstance(text, str):
            raise _invalid("a transcription has a text")
        text = _storable(text)
        return UpstreamAnswer(text=text, outputs=(Output(kind="text", text=text),))
    items = data.get("data")
    if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
        raise _invalid("data is a list")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else None
    if shape == EMBEDDINGS:
        ordered = sorted(
            items, key=lambda item: item.get("index", 0) if isinstance(item.get("index"), int) else 0
        )
        return UpstreamAnswer(
            text="", usage=usage, outputs=tuple(_vector(item.get("embedding")) for item in ordered)
        )
    images = []
    for item in items:
        try:
            data_bytes = decode_base64(item.get("b64_json"), where="the answer")
        except GatewayError:
            raise _invalid("an image is b64_json") from None
        images.append(Output(kind="image", file=checked_output("image", data_bytes, declared=None)))
    return UpstreamAnswer(text="", outputs=tuple(images))
