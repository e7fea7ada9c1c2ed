"""The playground per kind: what the form asks for and what the panel shows, from what the model takes and
gives (catalog.kinds).

- A model that takes images or audio gets a file input (the form is then multipart); the upload is checked
  by the gateway like an API upload (activity.gateway.media: typed from its bytes, sized), so a bad file
  gets the API's message. A model that takes text keeps the prompt; one that gives vectors gets a second
  text, "Compare with", sent in the same call so that the page can show the two texts' cosine similarity.
- Images and audio of a turn, sent or answered, are the files the gateway kept with the history entry
  (activity.media), read for all the turns shown in one query and served by history:media (owner only).
- Vectors and labels are not kept by the history (its response is a one-line summary), so a turn's figures
  (dimension, first values, similarity; labels with scores) are kept in the user's session for its last
  RESULTS_KEPT turns; an older turn shows the history's summary.
- Only text answers of plain or chat upstreams stream; everything else is one POST.
"""

import math
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from activity.gateway.errors import error
from activity.gateway.media import MediaFile, audio_type, checked_file
from activity.gateway.shapes import CHAT, PLAIN, UpstreamAnswer, shape_of
from catalog.models import AIModel

RESULTS_KEY = "playground_results"
RESULTS_KEPT = 20
FIRST_VALUES = 8
# The one-line summaries the history keeps for files, vectors and labels (activity.gateway.shapes.Output),
# left out of a turn whose files or figures are shown instead.
SUMMARY_LINE = re.compile(r"^\[(?:image|audio|vector|labels)\b[^\n]*\]$")
FILE_KEPT_NOTE = "Browsers do not keep a chosen file after a page is sent: choose it again."


@dataclass(frozen=True)
class PanelKinds:
    """What the panel offers for a model: a prompt, a file input (and of which kinds), "Compare with",
    streaming."""

    takes: tuple[str, ...]
    gives: tuple[str, ...]
    shape: str

    @classmethod
    def of(cls, model: AIModel) -> "PanelKinds":
        return cls(tuple(model.takes), tuple(model.gives), shape_of(model.endpoint_url))

    @property
    def takes_text(self) -> bool:
        return "text" in self.takes

    @property
    def file_kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind in ("image", "audio") if kind in self.takes)

    @property
    def accept(self) -> str:
        return ",".join(f"{kind}/*" for kind in self.file_kinds)

    @property
    def file_label(self) -> str:
        names = {"image": "Image", "audio": "Audio"}
        return " or ".join(names[kind] for kind in self.file_kinds).capitalize()

    @property
    def takes_audio(self) -> bool:
        return "audio" in self.takes

    @property
    def gives_text(self) -> bool:
        return "text" in self.gives

    @property
    def compares(self) -> bool:
        return "vector" in self.gives and self.takes_text

    @property
    def streams(self) -> bool:
        return "text" in self.gives and self.shape in (PLAIN, CHAT)


def upload_kind(upload: UploadedFile, data: bytes, kinds: PanelKinds) -> str:
    """The kind an upload claims to be: its declared type's, else audio if its header says so, else the
    kind the model takes (the gateway then checks the bytes against that kind)."""
    declared = (upload.content_type or "").split("/")[0].lower()
    if declared in ("image", "audio"):
        return declared
    if upload.content_type in ("video/webm", "video/ogg") or audio_type(data):
        return "audio"
    return kinds.file_kinds[0] if kinds.file_kinds else "image"


def checked_upload(upload: UploadedFile, kinds: PanelKinds) -> MediaFile:
    """The uploaded file as the gateway checks an API upload: 413 past GATEWAY_MAX_FILE_BYTES (before it is
    read), 400 for bytes that are not the image or audio they claim to be."""
    where = (upload.name or "The file")[:80]
    if upload.size is not None and upload.size > settings.GATEWAY_MAX_FILE_BYTES:
        raise error(
            "media_too_large",
            f"{where}: the file has {upload.size:,} bytes; the limit is {settings.GATEWAY_MAX_FILE_BYTES:,} bytes.",
        )
    upload.seek(0)
    data = upload.read()
    return checked_file(upload_kind(upload, data, kinds), data, declared=upload.content_type, where=where)


def chat_parts(prompt: str, files: tuple[MediaFile, ...]) -> str | list[dict]:
    """A chat turn's content with its files as OpenAI content parts (activity.gateway.parts)."""
    if not files:
        return prompt
    parts: list[dict] = [{"type": "text", "text": prompt}] if prompt else []
    for media in files:
        if media.kind == "image":
            parts.append({"type": "image_url", "image_url": {"url": media.data_uri()}})
        else:
            data = media.data_uri().split(",", 1)[1]
            parts.append({"type": "input_audio", "input_audio": {"data": data, "format": media.extension}})
    return parts


def cosine(a: tuple[float, ...], b: tuple[float, ...]) -> float | None:
    if len(a) != len(b):
        return None
    norm = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    return math.fsum(x * y for x, y in zip(a, b, strict=True)) / norm if norm else None


def result_of(answer: UpstreamAnswer | None) -> dict | None:
    """The figures of an answer's vectors and labels, as the panel shows them; None when it has neither."""
    if answer is None:
        return None
    vectors = [output.values for output in answer.outputs if output.values is not None]
    labels = next((output.labels for output in answer.outputs if output.labels is not None), None)
    if not vectors and not labels:
        return None
    result: dict = {}
    if vectors:
        result["vectors"] = [
            {"dimension": len(values), "first": [round(value, 4) for value in values[:FIRST_VALUES]]}
            for values in vectors
        ]
        if len(vectors) == 2:
            similarity = cosine(vectors[0], vectors[1])
            result["similarity"] = round(similarity, 4) if similarity is not None else None
    if labels:
        result["labels"] = [[label, score] for label, score in labels]
    return result


def remember_result(request: HttpRequest, history_id: uuid.UUID, result: dict | None) -> None:
    """Keep a turn's figures in the user's session for the panel drawn again (the last RESULTS_KEPT)."""
    if result is None:
        return
    kept = dict(request.session.get(RESULTS_KEY) or {})
    kept[str(history_id)] = result
    request.session[RESULTS_KEY] = dict(list(kept.items())[-RESULTS_KEPT:])


def results_for(request: HttpRequest, history_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
    kept = request.session.get(RESULTS_KEY) or {}
    return {history_id: kept[str(history_id)] for history_id in history_ids if str(history_id) in kept}


def labels_shown(labels: list) -> list[dict]:
    return [{"label": label, "score": score, "percent": round(score * 100)} for label, score in labels]


def without_summaries(text: str) -> str:
    """The text without the history's summary lines of files, vectors and labels."""
    return "\n".join(line for line in text.split("\n") if not SUMMARY_LINE.match(line.strip())).strip()
