"""The files in a call's body: /invoke's `inputs` and a chat message's content parts, checked into MediaFiles.

A chat message's content may be a list of parts, as in OpenAI's API: `text`, `image_url` whose `url` is a
`data:` URI (any other URL is refused: the gateway fetches nothing a caller names), and `input_audio` with
base64 `data` and its `format`. A chat-shaped upstream gets the parts as they came; a plain upstream gets
the text as its prompt and the files as its `inputs`.
"""

from activity.gateway.errors import error
from activity.gateway.media import AUDIO_FORMATS, MediaFile, checked_file, decode_base64, decode_data_uri
from activity.gateway.schemas import ChatContentPart, ChatMessage, ImagePart, InvokeFile, TextPart


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
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}, None
    if isinstance(part, ImagePart):
        declared, data = decode_data_uri(part.image_url.url, where=f"{where}.image_url.url")
        media = checked_file("image", data, declared=declared, where=f"{where}.image_url.url")
        detail = part.image_url.detail
        shown = {"url": media.data_uri(), **({"detail": detail} if detail else {})}
        return {"type": "image_url", "image_url": shown}, media
    audio = part.input_audio
    data = decode_base64(audio.data, where=f"{where}.input_audio.data")
    media = checked_file(
        "audio", data, declared=AUDIO_FORMATS[audio.format], where=f"{where}.input_audio.data"
    )
    return {"type": "input_audio", "input_audio": {"data": audio.data, "format": audio.format}}, media


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
