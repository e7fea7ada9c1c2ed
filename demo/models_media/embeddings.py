"""Embeddings: unit vectors of the dimension the caller picks, close for texts that share words.

Features are the text's words (weight 1, common words less) and the character trigrams of each word
(weight 0.5, so "mat" and "mats" stay near); each is hashed (BLAKE2b) to a coordinate and a sign, and the
sum is L2-normalised. Deterministic and the same on every machine.
"""

import hashlib
import math
import re

from demo.models_media.common import BadRequest

DEFAULT_DIMENSIONS = 256
MIN_DIMENSIONS, MAX_DIMENSIONS = 1, 8192  # what the API publishes (EmbeddingsIn.dimensions)
MAX_TEXT_CHARS = 32_000
MAX_TEXTS = 2048
COMMON = {
    "a",
    "an",
    "the",
    "of",
    "on",
    "in",
    "and",
    "or",
    "to",
    "is",
    "are",
    "was",
    "it",
    "at",
    "for",
    "with",
}


def check_dimensions(value: object) -> int:
    if value is None:
        return DEFAULT_DIMENSIONS
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_DIMENSIONS <= value <= MAX_DIMENSIONS:
        raise BadRequest(f"dimensions must be an integer from {MIN_DIMENSIONS} to {MAX_DIMENSIONS}")
    return value


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def features(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for word in words(text):
        weights[f"w:{word}"] = weights.get(f"w:{word}", 0.0) + (0.3 if word in COMMON else 1.0)
        padded = f"<{word}>"
        for i in range(len(padded) - 2):
            key = f"t:{padded[i : i + 3]}"
            weights[key] = weights.get(key, 0.0) + (0.15 if word in COMMON else 0.5)
    return weights


def embed(text: str, dimensions: int = DEFAULT_DIMENSIONS) -> list[float]:
    if not isinstance(text, str):
        raise BadRequest("each input must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise BadRequest(f"an input is longer than {MAX_TEXT_CHARS} characters")
    vector = [0.0] * dimensions
    for feature, weight in features(text).items():
        digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        vector[digest % dimensions] += weight if digest >> 63 else -weight
    norm = math.sqrt(math.fsum(v * v for v in vector))
    if norm == 0:  # no words at all: a fixed unit vector, the same for every empty text
        return [1.0] + [0.0] * (dimensions - 1)
    return [round(v / norm, 7) for v in vector]


def cosine(a: list[float], b: list[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b)))


def token_count(texts: list[str]) -> int:
    return sum(len(words(text)) for text in texts)
