"""What the media models share: the request error, base64 and the plain protocol's `inputs`."""

import base64
import binascii
from dataclasses import dataclass


class BadRequest(Exception):
    """A request the demo model cannot take: answered 400 with this message."""


@dataclass(frozen=True)
class Input:
    type: str  # image, audio or text
    mime: str
    data: bytes


INPUT_TYPES = ("image", "audio", "text")


def b64decode(value: object, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{what} must be a non-empty base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(f"{what} is not valid base64") from None


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def read_inputs(payload: dict) -> list[Input]:
    """The request's `inputs`: [{"type": "image"|"audio"|"text", "mime": "...", "data": "<base64>"}]."""
    raw = payload.get("inputs")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadRequest('inputs must be a list of {"type", "mime", "data"}')
    inputs = []
    for number, item in enumerate(raw):
        if not isinstance(item, dict) or item.get("type") not in INPUT_TYPES:
            raise BadRequest(f"inputs[{number}].type must be one of {', '.join(INPUT_TYPES)}")
        mime = item.get("mime") or ""
        if not isinstance(mime, str):
            raise BadRequest(f"inputs[{number}].mime must be a string")
        inputs.append(Input(item["type"], mime, b64decode(item.get("data"), f"inputs[{number}].data")))
    return inputs


def int_parameter(parameters: dict, name: str, default: int, low: int, high: int) -> int:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name} must be an integer from {low} to {high}")
    return value
