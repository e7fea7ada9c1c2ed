"""The files in a call's body: /invoke's `inputs` and a chat message's content parts, checked into MediaFiles.

A chat message's content may be a list of parts, as in OpenAI's API: `text`, `image_url` whose `url` is a
`data:` URI (any other URL is refused: the gateway fetches nothing a caller names), and `input_audio` with
base64 `data` and its `format`. A chat-shaped upstream gets the parts as they came; a plain upstream gets
the text as its prompt and the files as its `inputs`.
"""

from activity.gateway.errors import error
from activity.gateway.media import AUDIO_FORMATS, MediaFile, checked_file, decode_base64, decode_data_uri
from activity.gateway.schemas import ChatContentPart, ChatMessage, InvokeFile

PART_TYPES = ("text", "image_url", "input_audio")


def invoke_inputs(inputs: list[InvokeFile]) -> tuple[tuple[MediaFile, ...], list[str]]:
    """The files of /invoke's `inputs`, and the texts among them (decoded as UTF-8)."""
    files: list[MediaFile] = []
    texts: list[str] = []
    for index, item in enumerate(inputs):
        where = f"inputs.{index}"
        if item.data.startswith("data:") or "://" in item.data[:12]:
            declared, data = decode_data_uri(item.data, where=where)
            declared = item.mime or declared
        else:
            declared, data = item.mime, decode_base64(item.data, where=where)
        if item.type == "text":
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise error("invalid_media", f"{where}: a text input must be UTF-8.") from None
            if "\x00" in text:
                raise error("invalid_media", f"{where}: a text input must not contain NUL (U+0000).")
            texts.append(text)
            continue
        files.append(checked_file(item.type, data, declared=declared, where=where))
    return tuple(files), texts


def _part(part: ChatContentPart, where: str) -> tuple[dict, MediaFile | None]:
    """A content part as the upstream is sent it, and its file."""
    extra = part.model_extra or {}
    if part.type == "text":
        return {"type": "text", "text": part.text or ""}, None
    if part.type == "image_url":
        image_url = extra.get("image_url")
        url = image_url.get("url") if isinstance(image_url, dict) else image_url
        declared, data = decode_data_uri(url, where=f"{where}.image_url.url")
        media = checked_file("image", data, declared=declared, where=f"{where}.image_url.url")
        detail = image_url.get("detail") if isinstance(image_url, dict) else None
        shown = {"url": media.data_uri(), **({"detail": detail} if isinstance(detail, str) else {})}
        return {"type": "image_url", "image_url": shown}, media
    if part.type == "input_audio":
        audio = extra.get("input_audio")
        if not isinstance(audio, dict):
            raise error("invalid_request", f"{where}.input_audio: expected {{data, format}}.")
        fmt = audio.get("format")
        if fmt not in AUDIO_FORMATS:
            raise error(
                "invalid_request", f"{where}.input_audio.format: one of {', '.join(sorted(AUDIO_FORMATS))}."
            )
        data = decode_base64(audio.get("data"), where=f"{where}.input_audio.data")
        media = checked_file("audio", data, declared=AUDIO_FORMATS[fmt], where=f"{where}.input_audio.data")
        return {"type": "input_audio", "input_audio": {"data": audio["data"], "format": fmt}}, media
    raise error(
        "invalid_request",
        f"{where}.type: the platform takes content parts of type {', '.join(PART_TYPES)}, not {part.type[:40]}.",
    )


def chat_messages(messages: list[ChatMessage]) -> tuple[list[dict], list[dict], tuple[MediaFile, ...]]:
    """(the conversation as text, the conversation with its parts for a chat upstream, the files)."""
    as_text: list[dict] = []
    with_parts: list[dict] = []
    files: list[MediaFile] = []
    for index, message in enumerate(messages):
        as_text.append({"role": message.role, "content": message.text()})
        if not isinstance(message.content, list):
            with_parts.append({"role": message.role, "content": message.content or ""})
            continue
        parts = []
        for number, part in enumerate(message.content):
            shown, media = _part(part, f"messages.{index}.content.{number}")
            parts.append(shown)
            if media is not None:
                files.append(media)
        with_parts.append({"role": message.role, "content": parts})
    return as_text, with_parts, tuple(files)
