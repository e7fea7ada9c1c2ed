"""The media models' routes, in both protocols: the plain one (`{"prompt", "parameters", "inputs"}` →
`{"response", "outputs"}`) and OpenAI's embeddings, images and audio shapes. demo/upstream.py dispatches
to them; a BadRequest is a 400 in the protocol's own error shape."""

import re
import sys
import time
from array import array
from collections.abc import Callable

from demo.models_media import drawing, embeddings, labels, speech, vision, wav
from demo.models_media.common import BadRequest, Input, b64decode, b64encode, int_parameter, read_inputs

MAX_IMAGES = 4
OPENAI_SIZES = {"256x256", "512x512", "1024x1024"}


def image_output(png: bytes) -> dict:
    return {"type": "image", "mime": "image/png", "data": b64encode(png)}


def text_of(prompt: object, parameters: object) -> tuple[str, dict]:
    if not isinstance(prompt, str) or not isinstance(parameters, dict):
        raise BadRequest('expected {"prompt": "...", "parameters": {...}}')
    return prompt, parameters


# The plain protocol: route(prompt, parameters, inputs) → the answer's JSON.


def draw(prompt: str, parameters: dict, inputs: list[Input]) -> dict:
    if not prompt.strip() or len(prompt) > drawing.MAX_PROMPT_CHARS:
        raise BadRequest(
            f"the prompt must say what to draw, in at most {drawing.MAX_PROMPT_CHARS} characters"
        )
    size = drawing.parse_size(parameters.get("size"), "512x512")
    n = int_parameter(parameters, "n", 1, 1, MAX_IMAGES)
    pictures = [drawing.render(prompt, size, index) for index in range(n)]
    return {
        "response": "; ".join(f"Drew {said}" for _, said in pictures) + ".",
        "outputs": [image_output(png) for png, _ in pictures],
    }


def look(question: str, inputs: list[Input]) -> str:
    """Every image described (or the question answered about it), every audio input transcribed."""
    answers = []
    for item in inputs:
        if item.type == "image":
            answers.append(vision.answer(question, vision.analyse(item.data)))
        elif item.type == "audio":
            answers.append(hear(item.data))
    if not answers:
        return (
            f"No image came with the prompt: send one in inputs and I will describe it. You said: {question}"
        )
    if len(answers) == 1:
        return answers[0]
    return " ".join(f"[{number}] {text}" for number, text in enumerate(answers, start=1))


def caption(prompt: str, parameters: dict, inputs: list[Input]) -> dict:
    extra = [item.data.decode("utf-8", "replace") for item in inputs if item.type == "text"]
    return {"response": look(" ".join([prompt, *extra]).strip(), inputs)}


def speak(prompt: str, parameters: dict, inputs: list[Input]) -> dict:
    audio, seconds = speech.synthesize(prompt, speech.check_speed(parameters.get("speed")))
    return {
        "response": f"{seconds:.2f} s of speech (16-bit mono WAV, {speech.RATE} Hz).",
        "outputs": [{"type": "audio", "mime": "audio/wav", "data": b64encode(audio)}],
    }


def hear(data: bytes) -> str:
    """The demo speech's text, or what the audio is, when there is none the demo can read."""
    if data[:4] != b"RIFF":
        description = wav.sniff(data)  # a BadRequest when it is no audio at all
        return (
            f"[No speech the demo model can read: {description}, {len(data):,} bytes. It decodes WAV only.]"
        )
    try:
        text, description = speech.transcribe(data)
    except wav.NotReadable as exc:
        return f"[No speech the demo model can read: {exc}, {len(data):,} bytes. It decodes PCM WAV only.]"
    if text is None:
        return f"[No speech the demo model can read: {description}.]"
    return text


def transcribe(prompt: str, parameters: dict, inputs: list[Input]) -> dict:
    audio = [item for item in inputs if item.type == "audio"]
    if not audio:
        raise BadRequest(
            'send the audio as inputs: [{"type": "audio", "mime": "audio/wav", "data": "<base64>"}]'
        )
    return {"response": " ".join(hear(item.data) for item in audio)}


def embed(prompt: str, parameters: dict, inputs: list[Input]) -> dict:
    """One vector for the prompt, or, when text inputs come, one for each of them in order."""
    dimensions = embeddings.check_dimensions(parameters.get("dimensions"))
    texts = [item.data.decode("utf-8", "replace") for item in inputs if item.type == "text"] or [prompt]
    vectors = [embeddings.embed(text, dimensions) for text in texts]
    noun = "vector" if len(vectors) == 1 else "vectors"
    return {
        "response": f"{len(vectors)} {dimensions}-dimensional unit {noun}."
        if len(vectors) > 1
        else f"A {dimensions}-dimensional unit vector.",
        "outputs": [{"type": "vector", "values": vector} for vector in vectors],
    }


def classify(prompt: str, parameters: dict, inputs: list[Input]) -> dict:
    ranked = labels.classify(prompt, parameters)
    best = ranked[0]
    return {
        "response": f"{best['label']} ({best['score']:.2f})",
        "outputs": [{"type": "labels", "labels": ranked}],
    }


MEDIA_MODELS: dict[str, Callable[[str, dict, list[Input]], dict]] = {
    "/draw": draw,
    "/caption": caption,
    "/speak": speak,
    "/transcribe": transcribe,
    "/embed": embed,
    "/classify": classify,
}


def plain(path: str, payload: dict) -> dict:
    prompt, parameters = text_of(payload.get("prompt", ""), payload.get("parameters") or {})
    return MEDIA_MODELS[path](prompt, parameters, read_inputs(payload))


# OpenAI's shapes, chosen by how the path ends.

OPENAI_ROUTES = ("/embeddings", "/images/generations", "/audio/transcriptions", "/audio/speech")


def openai_route(path: str) -> str | None:
    return next((route for route in OPENAI_ROUTES if path.endswith(route)), None)


def openai_error(message: str) -> dict:
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}


def openai_embeddings(payload: dict) -> dict:
    texts = payload.get("input")
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise BadRequest("input must be a string or a non-empty list of strings (token arrays are not taken)")
    if len(texts) > embeddings.MAX_TEXTS:
        raise BadRequest(f"input holds more than {embeddings.MAX_TEXTS} texts")
    dimensions = embeddings.check_dimensions(payload.get("dimensions"))
    encoding = payload.get("encoding_format") or "float"
    if encoding not in ("float", "base64"):
        raise BadRequest('encoding_format must be "float" or "base64"')
    data = []
    for index, text in enumerate(texts):
        vector = embeddings.embed(text, dimensions)
        value: list[float] | str = vector if encoding == "float" else b64encode(float32_bytes(vector))
        data.append({"object": "embedding", "index": index, "embedding": value})
    tokens = embeddings.token_count(texts)
    return {
        "object": "list",
        "data": data,
        "model": str(payload.get("model") or "demo-embeddings"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def float32_bytes(vector: list[float]) -> bytes:
    """OpenAI's base64 embeddings: little-endian float32."""
    values = array("f", vector)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def openai_images(payload: dict) -> dict:
    prompt = payload.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > drawing.MAX_PROMPT_CHARS:
        raise BadRequest(f"prompt must say what to draw, in at most {drawing.MAX_PROMPT_CHARS} characters")
    n = int_parameter(payload, "n", 1, 1, MAX_IMAGES)
    size = payload.get("size") or "1024x1024"
    if size not in OPENAI_SIZES:
        raise BadRequest(f"size must be one of {', '.join(sorted(OPENAI_SIZES))}")
    if (payload.get("response_format") or "b64_json") != "b64_json":
        raise BadRequest('response_format must be "b64_json": the demo model keeps no images to link to')
    pictures = [drawing.render(prompt, drawing.parse_size(size), index) for index in range(n)]
    return {
        "created": int(time.time()),
        "data": [{"b64_json": b64encode(png), "revised_prompt": said} for png, said in pictures],
    }


def openai_speech(payload: dict) -> bytes:
    if (payload.get("response_format") or "wav") != "wav":
        raise BadRequest('response_format must be "wav": the demo model speaks WAV only')
    audio, _ = speech.synthesize(payload.get("input"), speech.check_speed(payload.get("speed")))
    return audio


def openai_transcription(raw: bytes, content_type: str) -> tuple[str, bytes | dict]:
    """(the answer's content type, its body) for a multipart upload of `file`."""
    fields = parse_multipart(raw, content_type)
    if "file" not in fields:
        raise BadRequest("the upload must carry the audio in a field named file")
    response_format = fields.get("response_format", b"json").decode("utf-8", "replace") or "json"
    if response_format not in ("json", "text", "verbose_json"):
        raise BadRequest('response_format must be "json", "text" or "verbose_json"')
    audio = fields["file"]
    text = hear(audio)
    if response_format == "text":
        return "text/plain; charset=utf-8", text.encode()
    if response_format == "verbose_json":
        try:
            seconds = wav.read_wav(audio).seconds
        except (wav.NotReadable, BadRequest):
            seconds = 0.0
        language = fields.get("language", b"").decode("utf-8", "replace") or "en"
        return "application/json", {
            "task": "transcribe",
            "language": language,
            "duration": seconds,
            "text": text,
        }
    return "application/json", {"text": text}


def parse_multipart(raw: bytes, content_type: str) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, by name (a file's bytes as sent)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.lower().startswith("multipart/form-data") or not match:
        raise BadRequest("send multipart/form-data with the audio as the field file")
    delimiter = b"--" + match[1].encode()
    fields: dict[str, bytes] = {}
    for part in raw.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, separator, body = part.partition(b"\r\n\r\n")
        name = re.search(rb'(?i)content-disposition:[^\r\n]*\bname="([^"]*)"', head)
        if not separator or not name:
            raise BadRequest("a part of the multipart body has no name")
        fields[name[1].decode("utf-8", "replace")] = body.removesuffix(b"\r\n")
    return fields


# Chat messages with content parts (OpenAI's image_url with a data: URI, input_audio).


def chat_parts(content: list) -> tuple[str, list[Input]]:
    """The text of a message's parts and its images and audio as plain-protocol inputs."""
    texts, inputs = [], []
    for part in content:
        if not isinstance(part, dict):
            raise BadRequest("each content part must be an object with a type")
        kind = part.get("type")
        if kind == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif kind == "image_url":
            url = (
                (part.get("image_url") or {}).get("url") if isinstance(part.get("image_url"), dict) else None
            )
            match = re.fullmatch(r"data:([\w.+-]+/[\w.+-]+)?(;[^,]*)?;base64,(.*)", url or "", re.S)
            if not match:
                raise BadRequest("image_url must be a data: URI with base64 data; the demo fetches no URL")
            inputs.append(Input("image", match[1] or "", b64decode(match[3], "image_url")))
        elif kind == "input_audio" and isinstance(part.get("input_audio"), dict):
            audio = part["input_audio"]
            inputs.append(
                Input(
                    "audio",
                    f"audio/{audio.get('format', 'wav')}",
                    b64decode(audio.get("data"), "input_audio"),
                )
            )
        else:
            raise BadRequest(f"content parts of type {kind!r} are not taken")
    return " ".join(texts), inputs
