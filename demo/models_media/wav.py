"""Audio files: WAV written and read (PCM, 8/16/24/32-bit, any channels, through the wave module), and
other containers (Ogg, WebM, MP3, FLAC, MP4) told from their header."""

import io
import math
import struct
import wave
from array import array
from dataclasses import dataclass
from operator import mul

from demo.models_media.common import BadRequest

MAX_SECONDS = 180.0  # read at most; the rest of a longer file is left out


@dataclass
class Audio:
    rate: int
    channels: int
    bits: int
    frames: int
    samples: array  # of floats: mono, -1..1

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


def write_wav(samples: array, rate: int) -> bytes:
    """16-bit mono PCM."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def pcm_to_floats(data: bytes, width: int) -> array:
    """Little-endian PCM samples of `width` bytes as floats from -1 to 1."""
    if width == 1:  # unsigned
        return array("d", map((1 / 128).__mul__, map((-128).__add__, data)))
    if width == 3:  # widen to 32 bits: each sample becomes its three bytes under a zero low byte
        count = len(data) // 3
        wide = bytearray(count * 4)
        wide[1::4], wide[2::4], wide[3::4] = (
            data[0 : count * 3 : 3],
            data[1 : count * 3 : 3],
            data[2 : count * 3 : 3],
        )
        data, width = bytes(wide), 4
    ints = array("h" if width == 2 else "i")
    ints.frombytes(data[: len(data) - len(data) % width])
    return array("d", map((1 / (1 << (8 * width - 1))).__mul__, ints))


def read_wav(data: bytes) -> Audio:
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
            frames = wav.getnframes()
            if rate <= 0 or channels <= 0 or width not in (1, 2, 3, 4):
                raise BadRequest("the WAV header is not one the demo can read")
            raw = wav.readframes(min(frames, int(MAX_SECONDS * rate)))
    except (wave.Error, EOFError, struct.error) as exc:
        raise NotReadable(describe_riff(data) or f"a WAV file the wave module cannot read ({exc})") from None
    values = pcm_to_floats(raw, width)
    if channels > 1:  # mixed down: the mean of each frame's channels
        columns = [values[channel::channels] for channel in range(channels)]
        values = array("d", map((1 / channels).__mul__, map(sum, zip(*columns, strict=False))))
    return Audio(rate, channels, width * 8, frames, values)


class NotReadable(Exception):
    """Audio whose samples the demo cannot read; the message describes the file from its header."""


def describe_riff(data: bytes) -> str | None:
    """A WAV the wave module refuses (float samples, WAVE_FORMAT_EXTENSIBLE), described from its fmt chunk."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    at = 12
    while at + 8 <= len(data):
        name, size = data[at : at + 4], int.from_bytes(data[at + 4 : at + 8], "little")
        if name == b"fmt " and size >= 16:
            code, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[at + 8 : at + 24])
            kind = {1: "PCM", 3: "32-bit float", 0xFFFE: "extensible", 6: "A-law", 7: "µ-law"}.get(
                code, f"{code}"
            )
            return f"a WAV file ({kind} samples, {bits}-bit, {rate} Hz, {channel_word(channels)})"
        at += 8 + size + size % 2
    return "a WAV file with no format chunk"


def channel_word(channels: int) -> str:
    return {1: "mono", 2: "stereo"}.get(channels, f"{channels} channels")


def loudness(samples: array) -> tuple[float, float]:
    """RMS and peak level in dBFS (-inf for silence)."""
    if not samples:
        return -math.inf, -math.inf
    rms = math.sqrt(sum(map(mul, samples, samples)) / len(samples))
    peak = max(map(abs, samples))

    def db(value: float) -> float:
        return 20 * math.log10(value) if value > 0 else -math.inf

    return db(rms), db(peak)


def sniff(data: bytes) -> str:
    """What kind of audio file `data` is, from its header: a description, or a BadRequest."""
    if data[:4] == b"OggS":
        return describe_ogg(data)
    if data[:4] == b"\x1aE\xdf\xa3":
        codec = next((c for c in ("Opus", "Vorbis", "AAC") if f"A_{c.upper()}".encode() in data[:4096]), "")
        return f"a WebM/Matroska {codec} recording".replace("  ", " ")
    if data[:4] == b"fLaC" and len(data) >= 26:
        info = int.from_bytes(data[18:26], "big")
        rate, channels, total = info >> 44, ((info >> 41) & 7) + 1, info & ((1 << 36) - 1)
        length = f", {total / rate:.1f} s" if rate else ""
        return f"a FLAC file ({rate} Hz, {channel_word(channels)}{length})"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "an MP3 file"
    if data[4:8] == b"ftyp":
        return "an MP4/M4A file"
    riff = describe_riff(data)
    if riff:
        return riff
    raise BadRequest(
        "the audio input is not an audio file the demo recognises (WAV, Ogg, WebM, MP3, FLAC or MP4)"
    )


def describe_ogg(data: bytes) -> str:
    codec, rate, channels = "", 0, 0
    if (at := data.find(b"OpusHead", 0, 512)) >= 0 and len(data) >= at + 10:
        codec, rate, channels = "Opus", 48000, data[at + 9]
    elif (at := data.find(b"\x01vorbis", 0, 512)) >= 0 and len(data) >= at + 16:
        codec, channels = "Vorbis", data[at + 11]
        rate = int.from_bytes(data[at + 12 : at + 16], "little")
    text = f"an Ogg {codec} recording".replace("  ", " ")
    last = data.rfind(b"OggS")
    if rate and len(data) >= last + 14:
        granule = int.from_bytes(data[last + 6 : last + 14], "little", signed=True)
        if granule > 0:
            text += f" ({rate} Hz, {channel_word(channels)}, {granule / rate:.1f} s)"
    return text
