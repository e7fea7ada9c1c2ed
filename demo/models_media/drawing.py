"""Image generation: a picture drawn from the prompt's words.

Colour words pick the palette (demo.models_media.palette), shape words the shapes ("three red circles
and a blue square"), scene words the background (sunset, night, sea, grass, mountains, sun, moon,
stripes); whatever the words leave open comes from a seed made from the prompt, so the same prompt always
gives the same PNG. Counted shapes are flat colours on a flat background, one per cell of a grid, never
touching: the captioner (demo.models_media.vision) finds and counts them again.
"""

import hashlib
import io
import math
import random
import re
from dataclasses import dataclass

from PIL import Image, ImageDraw

from demo.models_media.common import BadRequest
from demo.models_media.palette import COLOURS, NAMES, colour_word

MAX_PROMPT_CHARS = 4000
MIN_SIDE, MAX_SIDE = 64, 1024
MAX_SHAPES = 24
SHAPES = {
    "circle": "circle", "circles": "circle", "disc": "circle", "discs": "circle", "dot": "circle",
    "dots": "circle", "ball": "circle", "balls": "circle", "square": "square", "squares": "square",
    "box": "square", "boxes": "square", "rectangle": "rectangle", "rectangles": "rectangle",
    "triangle": "triangle", "triangles": "triangle", "pyramid": "triangle", "pyramids": "triangle",
    "star": "star", "stars": "star",
}  # fmt: skip
SCENES = {"sunset", "night", "sea", "ocean", "water", "grass", "field", "mountain", "mountains", "sun",
          "moon", "stripes", "striped"}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "pair": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "some": 3,
    "several": 4, "many": 9,
}  # fmt: skip


@dataclass
class Shape:
    kind: str
    count: int
    colour: str | None


@dataclass
class Plan:
    shapes: list[Shape]
    scenes: list[str]
    background: str | None
    colours: list[str]  # every colour word, in order


def parse_size(value: object, default: str = "1024x1024") -> tuple[int, int]:
    text = default if value is None else value
    match = re.fullmatch(r"(\d{2,4})x(\d{2,4})", text) if isinstance(text, str) else None
    if not match or not all(MIN_SIDE <= int(side) <= MAX_SIDE for side in match.groups()):
        raise BadRequest(
            f'size must be "<width>x<height>", each from {MIN_SIDE} to {MAX_SIDE}, e.g. "512x512"'
        )
    return int(match[1]), int(match[2])


def plan(prompt: str) -> Plan:
    """What the words ask for: counted shapes with their colours, scenes, a background colour."""
    words = re.findall(r"[a-z]+|\d+", prompt.lower())
    shapes: list[Shape] = []
    scenes: list[str] = []
    colours: list[str] = []
    background = None
    count: int | None = None
    colour: str | None = None
    for number, word in enumerate(words):
        following = words[number + 1] if number + 1 < len(words) else ""
        if word.isdigit():
            count = int(word)
        elif word in NUMBERS:
            count = NUMBERS[word]
        elif (name := colour_word(word)) is not None:
            colours.append(name)
            if following in ("background", "backdrop", "sky"):
                background = name
            else:
                colour = name
        elif word in SHAPES:
            plural = word.endswith("s") and word not in ("box",)
            shapes.append(Shape(SHAPES[word], count if count is not None else (3 if plural else 1), colour))
            count, colour = None, None
        elif word in SCENES:
            scenes.append({"ocean": "sea", "water": "sea", "field": "grass", "mountain": "mountains",
                           "striped": "stripes"}.get(word, word))  # fmt: skip
            count, colour = None, None
    return Plan(shapes, scenes, background, colours)


def seed_for(prompt: str, index: int) -> random.Random:
    digest = hashlib.sha256(f"{index}:{' '.join(prompt.lower().split())}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def star_points(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.45
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def draw_shape(
    draw: ImageDraw.ImageDraw, kind: str, cx: float, cy: float, size: float, fill: tuple[int, int, int]
) -> None:
    half = size / 2
    if kind == "circle":
        draw.ellipse((cx - half, cy - half, cx + half, cy + half), fill=fill)
    elif kind == "square":
        draw.rectangle((cx - half, cy - half, cx + half, cy + half), fill=fill)
    elif kind == "rectangle":
        draw.rectangle((cx - half, cy - half * 0.55, cx + half, cy + half * 0.55), fill=fill)
    elif kind == "triangle":
        draw.polygon([(cx, cy - half), (cx + half, cy + half), (cx - half, cy + half)], fill=fill)
    else:  # star
        draw.polygon(star_points(cx, cy + half * 0.1, half), fill=fill)


def vertical_gradient(image: Image.Image, top: tuple, bottom: tuple, until: float = 1.0) -> None:
    draw = ImageDraw.Draw(image)
    width, height = image.size
    end = max(1, int(height * until))
    for y in range(end):
        t = y / end
        draw.line(
            [(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )


def draw_scenes(
    image: Image.Image, scenes: list[str], rng: random.Random, colours: list[str], sky: bool
) -> None:
    """Scenery: a sunset, night or (`sky`: no background colour was asked for) day sky, then the rest."""
    draw = ImageDraw.Draw(image)
    width, height = image.size
    if sky and scenes and not {"stripes", "sunset", "night"} & set(scenes):
        vertical_gradient(image, (120, 190, 235), (215, 235, 250))
    if "sunset" in scenes:
        vertical_gradient(image, (70, 40, 120), (250, 140, 50))
    elif "night" in scenes:
        vertical_gradient(image, (5, 10, 40), (30, 40, 90))
        for _ in range(40):
            x, y = rng.uniform(0, width), rng.uniform(0, height * 0.6)
            draw.ellipse((x - 1.5, y - 1.5, x + 1.5, y + 1.5), fill=COLOURS["white"])
    if "stripes" in scenes:
        stripes = colours or [rng.choice(NAMES[2:]) for _ in range(2)]
        band = height / 8
        for i in range(0, 8, 2):
            draw.rectangle(
                (0, i * band, width, (i + 1) * band), fill=COLOURS[stripes[(i // 2) % len(stripes)]]
            )
    if "sun" in scenes or "sunset" in scenes:
        r = min(width, height) * 0.12
        cx, cy = width * (0.5 if "sunset" in scenes else 0.8), height * (0.55 if "sunset" in scenes else 0.2)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=COLOURS["yellow"])
    if "moon" in scenes:
        r = min(width, height) * 0.09
        cx, cy = width * 0.2, height * 0.18
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(235, 235, 220))
    if "mountains" in scenes:
        peaks = rng.randint(2, 4)
        for i in range(peaks):
            base = width / peaks
            x = base * (i + 0.5) + rng.uniform(-base * 0.2, base * 0.2)
            top = height * rng.uniform(0.3, 0.5)
            shade = rng.choice([(110, 110, 125), (90, 95, 110), (120, 105, 95)])
            draw.polygon(
                [(x, top), (x + base * 0.9, height * 0.8), (x - base * 0.9, height * 0.8)], fill=shade
            )
        draw.rectangle((0, height * 0.8, width, height), fill=(70, 60, 55))  # the ground they stand on
    if "sea" in scenes:
        draw.rectangle((0, height * 0.75, width, height), fill=COLOURS["blue"])
    if "grass" in scenes:
        draw.rectangle((0, height * 0.8, width, height), fill=COLOURS["green"])


def render(prompt: str, size: tuple[int, int], index: int = 0) -> tuple[bytes, str]:
    """The PNG and a sentence saying what was drawn."""
    rng = seed_for(prompt, index)
    wanted = plan(prompt)
    shapes = [Shape(s.kind, min(s.count, MAX_SHAPES), s.colour) for s in wanted.shapes if s.count > 0]
    if not shapes and not wanted.scenes:
        # Nothing recognised: an abstract composition from the seed.
        shapes = [
            Shape(rng.choice(["circle", "square", "triangle", "star", "rectangle"]), 1, None)
            for _ in range(rng.randint(2, 5))
        ]
    used = {s.colour for s in shapes if s.colour}
    background = wanted.background
    if background is None:
        background = next(name for name in ("white", "black", "grey") if name not in used)
    free = [name for name in NAMES if name != background and name not in ("white", "black", "grey")]
    for shape in shapes:
        if shape.colour is None or shape.colour == background:
            shape.colour = rng.choice(free)

    image = Image.new("RGB", size, COLOURS[background])
    draw_scenes(image, wanted.scenes, rng, wanted.colours, sky=wanted.background is None)
    draw = ImageDraw.Draw(image)
    width, height = size
    items = [(shape.kind, shape.colour or background) for shape in shapes for _ in range(shape.count)]
    items = items[:MAX_SHAPES]
    if items:
        columns = math.ceil(math.sqrt(len(items)))
        rows = math.ceil(len(items) / columns)
        cell_w, cell_h = width / columns, height / rows
        cells = list(range(columns * rows))
        rng.shuffle(cells)
        for (kind, colour), cell in zip(items, cells, strict=False):  # more cells than shapes
            side = min(cell_w, cell_h) * rng.uniform(0.5, 0.7)
            slack_x, slack_y = (cell_w - side) / 2 * 0.6, (cell_h - side) / 2 * 0.6
            cx = (cell % columns + 0.5) * cell_w + rng.uniform(-slack_x, slack_x)
            cy = (cell // columns + 0.5) * cell_h + rng.uniform(-slack_y, slack_y)
            draw_shape(draw, kind, cx, cy, side, COLOURS[colour])
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue(), describe_plan(shapes, wanted.scenes, background, wanted.background, size)


def describe_plan(
    shapes: list[Shape],
    scenes: list[str],
    background: str,
    background_asked: str | None,
    size: tuple[int, int],
) -> str:
    parts = [
        f"{shape.count} {shape.colour} {shape.kind}{'s' if shape.count != 1 else ''}"
        for shape in shapes
        if shape.count
    ]
    drawn = ", ".join(parts) if parts else "a scene"
    scene = f" with {', '.join(dict.fromkeys(scenes))}" if scenes else ""
    sky = next((f"a {s} sky" for s in ("sunset", "night") if s in scenes), f"a {background} background")
    if scenes and background_asked is None and not {"stripes", "sunset", "night"} & set(scenes):
        sky = "a day sky"
    return f"{drawn}{scene} on {sky}, {size[0]}x{size[1]}"
