"""Files a call carries: read from base64 or a `data:` URI, never from a URL; sized; typed from their bytes.

Every file a caller sends is checked before anything counts (400 and 413 are refusals):
- its encoded size, before decoding (GATEWAY_MAX_FILE_BYTES, 413 media_too_large);
- its type, from its bytes: Pillow opens images (PNG, JPEG, WebP, GIF), audio is told by its header (WAV,
  MP3, Ogg, FLAC, WebM, MP4/M4A); a file whose declared type names another format is refused
  (400 invalid_media): the bytes are what is forwarded, so they are what is checked;
- its decoded size: an image's pixels (GATEWAY_MAX_IMAGE_PIXELS, so a small file cannot unpack into
  gigabytes), a WAV's duration (GATEWAY_MAX_AUDIO_SECONDS);
- a URL other than `data:` is refused (400 remote_url_refused): the gateway never fetches what a caller
  points at, which would let callers make the platform reach any address.

Files answers carry are typed the same way (checked_output), so that a page never shows an upstream's bytes
under a type they do not have.
"""

import binascii
import io
import re
import struct
import wave
from base64 import b64decode, b64encode
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from activity.gateway.errors import GatewayError, error

IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}
# Spellings of one type that clients send.
MIME_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg",
    "audio/x-flac": "audio/flac",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "video/webm": "audio/webm",  # a browser's recording
    "video/ogg": "audio/ogg",
    "application/ogg": "audio/ogg",
}
# OpenAI's input_audio `format` names.
AUDIO_FORMATS = {"wav": "audio/wav", "mp3": "audio/mpeg", "flac": "audio/flac", "ogg": "audio/ogg",
                 "webm": "audio/webm", "m4a": "audio/mp4", "mp4": "audio/mp4"}  # fmt: skip
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif",
              "image/bmp": "bmp", "image/tiff": "tiff", "audio/wav": "wav", "audio/mpeg": "mp3",
              "audio/ogg": "ogg", "audio/opus": "opus", "audio/flac": "flac", "audio/webm": "webm",
              "audio/mp4": "m4a", "audio/aac": "aac"}  # fmt: skip
DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[\w.+-]+=[\w.+-]+)*);base64,", re.I)
BASE64_CHARS = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


@dataclass(frozen=True)
class MediaFile:
    """A checked file: its kind ("image" or "audio"), its type as its bytes say, and the bytes."""

    kind: str
    mime: str
    data: bytes
    width: int | None = None
    height: int | None = None
    seconds: float | None = None

    def as_upstream(self) -> dict:
        """The file in the plain upstream protocol's `inputs` (DESIGN.md)."""
        return {"type": self.kind, "mime": self.mime, "data": b64encode(self.data).decode()}

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{b64encode(self.data).decode()}"

    @property
    def extension(self) -> str:
        return extension_for(self.mime)

    def describe(self) -> str:
        """ "image 512×512 PNG, 31 KB", for the history and pages."""
        size = f"{len(self.data) / 1024:.0f} KB" if len(self.data) >= 1024 else f"{len(self.data)} bytes"
        label = self.mime.split("/")[1].upper().replace("MPEG", "MP3")
        if self.width is not None:
            return f"image {self.width}×{self.height} {label}, {size}"
        if self.seconds is not None:
            return f"audio {self.seconds:.1f} s {label}, {size}"
        return f"{self.kind} {label}, {size}"


def _normal(mime: str | None) -> str | None:
    if not mime:
        return None
    mime = mime.split(";")[0].strip().lower()
    return MIME_ALIASES.get(mime, mime)


def extension_for(mime: str) -> str:
    """A file name's ending for a type ("wav" for audio/x-wav too), "bin" for one the platform does not name."""
    return EXTENSIONS.get(_normal(mime) or "", "bin")


def _too_large(where: str, size: int) -> GatewayError:
    limit = settings.GATEWAY_MAX_FILE_BYTES
    return error(
        "media_too_large", f"{where}: the file has {size:,} bytes; the limit is {limit:,} bytes per file."
    )


def decode_base64(text: object, *, where: str) -> bytes:
    """The bytes of a base64 string, refused with 413 past GATEWAY_MAX_FILE_BYTES before it is decoded."""
    if not isinstance(text, str) or not text:
        raise error("invalid_media", f"{where}: expected the file's bytes as a base64 string.")
    text = "".join(text.split())  # line breaks, as MIME encoders write
    if len(text) // 4 * 3 > settings.GATEWAY_MAX_FILE_BYTES:
        raise _too_large(where, len(text) // 4 * 3)
    if not BASE64_CHARS.match(text):
        raise error("invalid_media", f"{where}: the data is not base64.")
    try:
        return b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise error("invalid_media", f"{where}: the data is not base64.") from None


def decode_data_uri(uri: object, *, where: str) -> tuple[str | None, bytes]:
    """(declared type, bytes) of a `data:…;base64,…` URI. Any other URL is refused: the gateway fetches
    nothing a caller names."""
    if not isinstance(uri, str):
        raise error("invalid_media", f"{where}: expected a data: URI.")
    match = DATA_URI.match(uri[:300])
    if match is None:
        scheme = uri.split(":", 1)[0].lower() if ":" in uri[:20] else ""
        if scheme in ("http", "https", "ftp", "file", "s3", "gs"):
            raise error(
                "remote_url_refused",
                f"{where}: the platform does not fetch URLs; send the file itself as a data: URI "
                "(data:image/png;base64,…).",
            )
        raise error(
            "invalid_media", f"{where}: expected a data: URI with base64 data (data:<type>;base64,…)."
        )
    return _normal(match.group("mime")), decode_base64(uri[match.end() :], where=where)


def _image(data: bytes, *, where: str) -> MediaFile:
    try:
        with Image.open(io.BytesIO(data)) as image:
            mime = IMAGE_FORMATS.get(image.format or "")
            width, height = image.size
            if mime is None:
                raise error(
                    "invalid_media",
                    f"{where}: a {image.format} image; send PNG, JPEG, WebP or GIF.",
                )
            if width * height > settings.GATEWAY_MAX_IMAGE_PIXELS:
                raise error(
                    "media_too_large",
                    f"{where}: the image is {width}×{height} pixels; the limit is "
                    f"{settings.GATEWAY_MAX_IMAGE_PIXELS:,} pixels.",
                )
            image.verify()
    except GatewayError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise error("invalid_media", f"{where}: the bytes are not an image Pillow can read.") from None
    return MediaFile(kind="image", mime=mime, data=data, width=width, height=height)


def audio_type(data: bytes) -> str | None:
    """The audio format a file's first bytes name, or None."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "audio/webm"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    return None


def _wav_seconds(data: bytes, *, where: str) -> float:
    try:
        with wave.open(io.BytesIO(data)) as reader:
            rate, frames = reader.getframerate(), reader.getnframes()
    except (wave.Error, EOFError, struct.error) as exc:
        raise error("invalid_media", f"{where}: the WAV file cannot be read ({exc}).") from None
    if rate <= 0:
        raise error("invalid_media", f"{where}: the WAV file has no sample rate.")
    return frames / rate


def _audio(data: bytes, *, where: str) -> MediaFile:
    mime = audio_type(data)
    if mime is None:
        raise error(
            "invalid_media",
            f"{where}: the bytes are not audio the platform knows (WAV, MP3, Ogg, FLAC, WebM, M4A).",
        )
    seconds = None
    if mime == "audio/wav":
        seconds = _wav_seconds(data, where=where)
        if seconds > settings.GATEWAY_MAX_AUDIO_SECONDS:
            raise error(
                "media_too_large",
                f"{where}: the audio lasts {seconds:.0f} s; the limit is {settings.GATEWAY_MAX_AUDIO_SECONDS} s.",
            )
    return MediaFile(kind="audio", mime=mime, data=data, seconds=seconds)


def checked_file(kind: str, data: bytes, *, declared: str | None, where: str) -> MediaFile:
    """`data` as a file of `kind` ("image" or "audio"), typed from its bytes; a declared type of another
    format, or of another kind, is refused."""
    if len(data) > settings.GATEWAY_MAX_FILE_BYTES:
        raise _too_large(where, len(data))
    if not data:
        raise error("invalid_media", f"{where}: the file is empty.")
    declared = _normal(declared)
    if declared and not declared.startswith(f"{kind}/") and declared != "application/octet-stream":
        raise error("invalid_media", f"{where}: expected {kind}, but the file says it is {declared}.")
    found = _image(data, where=where) if kind == "image" else _audio(data, where=where)
    if declared and declared not in (found.mime, "application/octet-stream") and not declared.endswith("/*"):
        raise error(
            "invalid_media",
            f"{where}: the file says it is {declared}, but its bytes are {found.mime}.",
        )
    return found


def checked_output(kind: str, data: bytes, *, declared: str | None) -> MediaFile:
    """A file an upstream answered with, typed from its bytes (502 upstream_invalid_response otherwise)."""
    try:
        return checked_file(kind, data, declared=declared, where="the answer")
    except GatewayError:
        raise error(
            "upstream_invalid_response",
            f"The model's upstream answered with {kind} the platform cannot read.",
        ) from None
