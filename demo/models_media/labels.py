"""Classification: labels with scores from 0 to 1 (a softmax), best first.

Sentiment by default: words from two lists, a "not"/"never"/"no" just before a word turning it round.
With `parameters.labels` (a list of names) the text is scored against each name instead: zero-shot, by the
cosine similarity of their embeddings (demo.models_media.embeddings), a name being taken with the words of
TOPIC_WORDS when it is one of those topics; `parameters.task: "topic"` picks those topics.
"""

import math
import re

from demo.models_media.common import BadRequest
from demo.models_media.embeddings import cosine, embed

POSITIVE = {
    "good", "great", "excellent", "love", "loved", "like", "happy", "fast", "amazing", "wonderful", "best",
    "nice", "helpful", "perfect", "fantastic", "enjoy", "enjoyed", "pleasant", "brilliant", "awesome",
}  # fmt: skip
NEGATIVE = {
    "bad", "terrible", "awful", "hate", "hated", "slow", "sad", "worst", "poor", "broken", "horrible",
    "useless", "angry", "boring", "disappointing", "disappointed", "ugly", "wrong", "annoying", "buggy",
}  # fmt: skip
NEGATIONS = {"not", "never", "no", "isn't", "wasn't", "don't", "doesn't", "didn't", "hardly"}
TOPIC_WORDS = {
    "sports": "sport sports game match team player score goal football tennis league season win coach",
    "politics": "politics election government vote minister parliament policy law president party senate",
    "business": "business market stock stocks prices shares company profit economy bank trade sales",
    "technology": "technology software computer app code data internet phone chip ai cloud device online",
    "science": "science research study scientists space physics biology experiment discovery planet climate",
    "health": "health doctor hospital disease medicine patients vaccine diet fitness symptoms treatment",
    "entertainment": "film movie music song actor album show television series star concert festival",
    "food": "food recipe cook cooking restaurant dinner taste bread cheese meal kitchen flavour",
    "travel": "travel trip flight hotel beach holiday tourist city journey visit airport",
}
MAX_LABELS = 50


def softmax(scores: dict[str, float]) -> list[dict]:
    top = max(scores.values())
    exps = {label: math.exp(value - top) for label, value in scores.items()}
    total = sum(exps.values())
    ranked = sorted(exps.items(), key=lambda item: (-item[1], item[0]))
    return [{"label": label, "score": round(value / total, 4)} for label, value in ranked]


def sentiment_counts(text: str) -> tuple[int, int]:
    words = re.findall(r"[a-z']+", text.lower())
    positive = negative = 0
    for number, word in enumerate(words):
        turned = number > 0 and words[number - 1] in NEGATIONS
        if word in POSITIVE:
            positive, negative = (positive, negative + 1) if turned else (positive + 1, negative)
        elif word in NEGATIVE:
            positive, negative = (positive + 1, negative) if turned else (positive, negative + 1)
    return positive, negative


def sentiment(text: str) -> list[dict]:
    positive, negative = sentiment_counts(text)
    return softmax(
        {
            "positive": 1.5 * positive - 0.5 * negative,
            "negative": 1.5 * negative - 0.5 * positive,
            "neutral": 1.0,
        }
    )


def zero_shot(text: str, names: list[str]) -> list[dict]:
    vector = embed(text, 1024)
    return softmax(
        {name: 12 * cosine(vector, embed(TOPIC_WORDS.get(name.lower(), name), 1024)) for name in names}
    )


def classify(text: str, parameters: dict) -> list[dict]:
    names = parameters.get("labels")
    task = parameters.get("task", "sentiment")
    if names is not None:
        if (
            not isinstance(names, list)
            or not 2 <= len(names) <= MAX_LABELS
            or not all(isinstance(n, str) and n.strip() for n in names)
            or len(set(names)) != len(names)
        ):
            raise BadRequest(f"parameters.labels must be a list of 2 to {MAX_LABELS} different names")
        return zero_shot(text, names)
    if task == "topic":
        return zero_shot(text, list(TOPIC_WORDS))
    if task != "sentiment":
        raise BadRequest('parameters.task must be "sentiment" or "topic"')
    return sentiment(text)
