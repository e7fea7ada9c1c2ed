"""What a model takes and gives: text, images, audio, vectors (embeddings) and labels (classification).

Each category has its kinds (CATEGORY_KINDS); a developer may refine them per model (models.input_kinds and
models.output_kinds, null for the category's). The gateway refuses, with 400 unsupported_kind and before
anything counts, a call that sends a model a kind it does not take or asks it for one it does not give.
"""

from django.db import models


class Kind(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Images"
    AUDIO = "audio", "Audio"
    VECTOR = "vector", "Vectors (embeddings)"
    LABELS = "labels", "Labels with scores"


INPUT_KINDS = (Kind.TEXT, Kind.IMAGE, Kind.AUDIO)
OUTPUT_KINDS = (Kind.TEXT, Kind.IMAGE, Kind.AUDIO, Kind.VECTOR, Kind.LABELS)
INPUT_KIND_CHOICES = [(kind.value, kind.label) for kind in INPUT_KINDS]
OUTPUT_KIND_CHOICES = [(kind.value, kind.label) for kind in OUTPUT_KINDS]

TEXT_ONLY = ((Kind.TEXT,), (Kind.TEXT,))
# (takes, gives) of each category (catalog.models.Category's values).
CATEGORY_KINDS: dict[str, tuple[tuple[Kind, ...], tuple[Kind, ...]]] = {
    "text_generation": TEXT_ONLY,
    "code_generation": TEXT_ONLY,
    "translation": TEXT_ONLY,
    "summarization": TEXT_ONLY,
    "other": TEXT_ONLY,
    "image_generation": ((Kind.TEXT,), (Kind.IMAGE,)),
    "speech_to_text": ((Kind.AUDIO,), (Kind.TEXT,)),
    "text_to_speech": ((Kind.TEXT,), (Kind.AUDIO,)),
    "embeddings": ((Kind.TEXT,), (Kind.VECTOR,)),
    "classification": ((Kind.TEXT,), (Kind.LABELS,)),
    "multimodal": ((Kind.TEXT, Kind.IMAGE, Kind.AUDIO), (Kind.TEXT,)),
}


def kinds_of(category: str, input_kinds: list[str] | None, output_kinds: list[str] | None) -> tuple:
    """(takes, gives) as tuples of kind values: the model's own where set, else its category's."""
    takes, gives = CATEGORY_KINDS.get(category, TEXT_ONLY)
    return (
        tuple(input_kinds) if input_kinds else tuple(kind.value for kind in takes),
        tuple(output_kinds) if output_kinds else tuple(kind.value for kind in gives),
    )


def kinds_label(kinds: tuple[str, ...]) -> str:
    """ "text and images", for messages and pages."""
    names = [Kind(kind).label.split(" (")[0].lower() if kind != Kind.TEXT else "text" for kind in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
