"""Text to speech and speech to text that understand each other.

The speech model says each UTF-8 byte of the text as a chord of two tones, like a telephone keypad: the
byte's high nibble picks one of LOW_TONES, its low nibble one of HIGH_TONES (100 Hz apart, all under
4 kHz, so 8 kHz audio still carries them). A space is a pause one symbol long. A start byte (STX) before
the text and an end byte (ETX) after it frame the message. Symbols last SYMBOL_SECONDS / speed with a third
of that in silence after each, so the length follows the text and the speed.

The transcriber finds the tone bursts by their loudness (whatever the sample rate), measures the power
of each burst at the 32 frequencies (Goertzel's single-frequency DFT) and reads each byte from the
loudest tone of each group; the pause between bursts, in symbol periods (measured on the start byte),
gives the spaces. Audio that does not decode to a framed
message of clean chords is described instead: length, rate, channels, loudness.
"""

import math
import statistics
from array import array
from operator import mul

from demo.models_media.common import BadRequest
from demo.models_media.wav import MAX_SECONDS, Audio, channel_word, loudness, read_wav, write_wav

RATE = 16_000
SYMBOL_SECONDS = 0.08
GAP_SHARE = 1 / 3
LOW_TONES = [400 + 100 * k for k in range(16)]
HIGH_TONES = [2000 + 100 * k for k in range(16)]
AMPLITUDE = 0.35  # each tone; the chord peaks at 0.7 of full scale
FADE_SHARE = 0.1  # of a symbol, at each end: no clicks
STX, ETX = 0x02, 0x03
MAX_TEXT_CHARS = 4096
MIN_SPEED, MAX_SPEED = 0.25, 4.0
FRAME_SECONDS = 0.0025
WINDOW_SECONDS = 0.04  # at most, from the middle of a burst
MIN_TONE_SHARE = 0.5  # of a burst's energy in its two tones, for the burst to count as demo speech


def check_speed(value: object) -> float:
    if value is None:
        return 1.0
    if isinstance(value, bool) or not isinstance(value, int | float) or not MIN_SPEED <= value <= MAX_SPEED:
        raise BadRequest(f"speed must be a number from {MIN_SPEED} to {MAX_SPEED}")
    return float(value)


def synthesize(text: object, speed: float = 1.0) -> tuple[bytes, float]:
    """A 16-bit mono WAV at RATE saying `text` (surrounding spaces left out), and its length in seconds."""
    if not isinstance(text, str) or not text.strip(" "):
        raise BadRequest("the text to speak must be a non-empty string")
    if len(text) > MAX_TEXT_CHARS:
        raise BadRequest(f"the text to speak is longer than {MAX_TEXT_CHARS} characters")
    symbol = round(RATE * SYMBOL_SECONDS / speed)
    gap = round(symbol * GAP_SHARE)
    seconds = (symbol + gap) * (len(text.strip(" ").encode()) + 2) / RATE
    if seconds > MAX_SECONDS:
        raise BadRequest(f"that would be {seconds:.0f} s of speech; the limit is {MAX_SECONDS:.0f} s")
    chords: dict[int, array] = {}
    silence = array("h", bytes(2 * gap))
    pause = array("h", bytes(2 * (symbol + gap)))
    out = array("h")
    for byte in bytes([STX]) + text.strip(" ").encode() + bytes([ETX]):
        if byte == 0x20:
            out.extend(pause)
            continue
        if byte not in chords:
            chords[byte] = chord(LOW_TONES[byte >> 4], HIGH_TONES[byte & 15], symbol)
        out.extend(chords[byte])
        out.extend(silence)
    return write_wav(out, RATE), len(out) / RATE


def chord(low: float, high: float, length: int) -> array:
    fade = max(1, int(length * FADE_SHARE))
    samples = array("h")
    for n in range(length):
        envelope = min(1.0, n / fade, (length - 1 - n) / fade)
        envelope = 0.5 - 0.5 * math.cos(math.pi * envelope)
        t = n / RATE
        value = AMPLITUDE * envelope * (math.sin(2 * math.pi * low * t) + math.sin(2 * math.pi * high * t))
        samples.append(round(value * 32767))
    return samples


def bursts(samples: array, rate: int) -> list[tuple[int, int]]:
    """(start, end) sample indexes of the loud stretches: the threshold lies between the quiet and the loud
    frames' levels, gaps of one frame are bridged, bursts much shorter than the typical one dropped."""
    frame = max(1, round(rate * FRAME_SECONDS))
    levels = [
        math.sqrt(sum(map(mul, piece, piece)) / frame)
        for i in range(0, len(samples) - frame + 1, frame)
        if (piece := samples[i : i + frame]) is not None
    ]
    if len(levels) < 4:
        return []
    ordered = sorted(levels)
    quiet, loud = ordered[len(ordered) // 10], ordered[len(ordered) * 9 // 10]
    if loud < 1e-3 or loud < quiet * 2:
        return []
    threshold = quiet + (loud - quiet) * 0.3
    on = [level > threshold for level in levels]
    for i in range(1, len(on) - 1):  # bridge one-frame dips
        if not on[i] and on[i - 1] and on[i + 1]:
            on[i] = True
    runs, start = [], None
    for i, value in enumerate([*on, False]):
        if value and start is None:
            start = i
        elif not value and start is not None:
            runs.append((start, i))
            start = None
    if not runs:
        return []
    typical = statistics.median(end - start for start, end in runs)
    return [(start * frame, end * frame) for start, end in runs if end - start >= max(2, typical * 0.4)]


class ChordReader:
    """Reads the chord of a burst from `n` samples at its middle, every `step`-th one (the tones lie under
    3.6 kHz, so about 8,000 a second are enough whatever the sample rate): for each tone, the power of the
    Hann-windowed samples at that one frequency (what the Goertzel algorithm computes, here as two dot
    products with precomputed tables, which run in C)."""

    def __init__(self, rate: int, n: int):
        self.step = max(1, rate // 8000)
        self.n = n // self.step
        rate //= self.step
        self.hann = array("d", (0.5 - 0.5 * math.cos(2 * math.pi * i / (self.n - 1)) for i in range(self.n)))
        self.hann_squared = array("d", map(mul, self.hann, self.hann))
        self.tables = [
            (
                array("d", (w * math.cos(2 * math.pi * f * i / rate) for i, w in enumerate(self.hann))),
                array("d", (w * math.sin(2 * math.pi * f * i / rate) for i, w in enumerate(self.hann))),
            )
            for f in [*LOW_TONES, *HIGH_TONES]
        ]

    def read(self, samples: array, start: int, end: int) -> tuple[int, float]:
        """The byte a burst says and the share of its (windowed) energy in those two tones."""
        span = self.n * self.step
        first = max(0, (start + end - span) // 2)
        piece = samples[first : first + span : self.step]
        if len(piece) < self.n:
            return 0, 0.0
        energy = sum(map(mul, map(mul, piece, piece), self.hann_squared))
        if energy <= 0:
            return 0, 0.0
        powers = [sum(map(mul, piece, cos)) ** 2 + sum(map(mul, piece, sin)) ** 2 for cos, sin in self.tables]
        low, high = powers[:16], powers[16:]
        nibble_high, nibble_low = max(range(16), key=low.__getitem__), max(range(16), key=high.__getitem__)
        # A Hann-windowed tone of amplitude a: power (a·n/4)², energy in the window 3a²n/16.
        share = 3 * (low[nibble_high] + high[nibble_low]) / self.n / energy
        return nibble_high << 4 | nibble_low, share


def decode(audio: Audio) -> str | None:
    """The text the demo speech model said in `audio`, or None when it is not such speech."""
    found = bursts(audio.samples, audio.rate)
    if len(found) < 2 or max(HIGH_TONES) >= audio.rate / 2:
        return None
    typical = statistics.median(end - start for start, end in found)
    reader = ChordReader(audio.rate, int(min(typical * 0.7, audio.rate * WINDOW_SECONDS)))
    if reader.n < 8:
        return None
    read = [reader.read(audio.samples, start, end) for start, end in found]
    if read[0][0] != STX or read[-1][0] != ETX or statistics.median(s for _, s in read) < MIN_TONE_SHARE:
        return None
    period = found[1][0] - found[0][0]  # the start byte is always followed by a character, not a pause
    out = bytearray()
    for number, (byte, _) in enumerate(read[1:-1], start=1):
        spaces = round((found[number][0] - found[number - 1][0]) / period) - 1
        if number > 1:
            out.extend(b" " * max(0, spaces))
        out.append(byte)
    try:
        return out.decode()
    except UnicodeDecodeError:
        return None


def describe(audio: Audio) -> str:
    rms, peak = loudness(audio.samples)
    level = "silent" if rms == -math.inf else f"{rms:.1f} dBFS RMS, peak {peak:.1f} dBFS"
    return (
        f"{audio.seconds:.2f} s of {audio.bits}-bit WAV audio at {audio.rate} Hz, "
        f"{channel_word(audio.channels)}, {level}"
    )


def transcribe(data: bytes) -> tuple[str | None, str]:
    """(the demo speech's text or None, a description of the audio). Reads WAV; raises wav.NotReadable for
    other files (whose description is its message) and BadRequest for what is not audio."""
    audio = read_wav(data)
    return decode(audio), describe(audio)
