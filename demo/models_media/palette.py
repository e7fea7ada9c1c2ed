"""The named colours the image models share: the generator paints with exactly these, and the captioner
names what it sees by the nearest of them."""

COLOURS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "grey": (128, 128, 128),
    "red": (220, 30, 40),
    "orange": (245, 135, 30),
    "yellow": (250, 215, 35),
    "green": (40, 165, 65),
    "teal": (0, 128, 128),
    "cyan": (90, 205, 235),
    "blue": (30, 80, 215),
    "navy": (20, 30, 95),
    "purple": (125, 50, 165),
    "pink": (240, 140, 185),
    "brown": (125, 80, 40),
}
SYNONYMS = {
    "gray": "grey", "silver": "grey", "crimson": "red", "scarlet": "red", "gold": "yellow",
    "golden": "yellow", "lime": "green", "turquoise": "cyan", "aqua": "cyan", "violet": "purple",
    "magenta": "pink", "indigo": "navy",
}  # fmt: skip
NAMES = list(COLOURS)


def colour_word(word: str) -> str | None:
    """The palette name a word stands for, if it is a colour."""
    word = SYNONYMS.get(word, word)
    return word if word in COLOURS else None
