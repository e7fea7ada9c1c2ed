"""Image captioning and visual questions: what an image is, as far as plain measurements tell.

The image is mapped onto the named palette (demo.models_media.palette) at no more than ANALYSIS_SIDE pixels a
side; the colour most common along the border is the background; each connected patch of one other colour
that does not touch the border and is big enough is a shape, told by how much of its bounding box it fills
(a square or rectangle about all of it, a circle π/4, a triangle half, a five-pointed star about a third)
and by the box's proportions. Questions ("how many…?", "what colour…?", "how big…?") are answered from the
same analysis.
"""

import io
import re
from collections import Counter, deque
from dataclasses import dataclass

from PIL import Image, ImageStat, UnidentifiedImageError

from demo.models_media.common import BadRequest
from demo.models_media.drawing import SHAPES
from demo.models_media.palette import COLOURS, NAMES, colour_word

MAX_IMAGE_PIXELS = 25_000_000  # refused before decoding: a small file may declare a huge image
ANALYSIS_SIDE = 256
MIN_SHAPE_SHARE = 0.002  # of the analysed image's pixels
IMAGE_FORMATS = {"PNG", "JPEG", "MPO", "GIF", "WEBP", "BMP", "TIFF"}  # MPO: a camera's JPEG

_PALETTE = Image.new("P", (1, 1))
# 256 entries: the named colours, repeated (an index maps back to its name modulo their number).
_PALETTE.putpalette(
    ([channel for name in NAMES for channel in COLOURS[name]] * (256 // len(NAMES) + 1))[:768]
)


@dataclass(frozen=True)
class Found:
    kind: str
    colour: str
    box: tuple[int, int, int, int]  # in the original image's pixels


@dataclass
class Analysis:
    width: int
    height: int
    format: str
    mode: str
    background: str
    colours: list[tuple[str, float]]  # named colours with their share, most first
    brightness: float  # mean luma, 0-255
    shapes: list[Found]


def open_image(data: bytes) -> Image.Image:
    """The image in `data`, checked from its bytes; a 400 for anything else or anything too large."""
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:  # past twice Pillow's own limit, refused while opening
        raise BadRequest(f"the image is too large: {exc}") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise BadRequest(
            "the image input is not an image Pillow can read (PNG, JPEG, GIF, WebP, BMP)"
        ) from None
    if image.format not in IMAGE_FORMATS:
        raise BadRequest(f"{image.format} images are not taken; send PNG, JPEG, GIF, WebP or BMP")
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise BadRequest(f"the image is {width}x{height} pixels; the limit is {MAX_IMAGE_PIXELS:,} pixels")
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise BadRequest(f"the image cannot be decoded: {exc}") from None
    return image


def to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, COLOURS["white"])
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def analyse(data: bytes) -> Analysis:
    image = open_image(data)
    fmt, mode = image.format or "image", image.mode
    width, height = image.size
    rgb = to_rgb(image)
    scale = min(1.0, ANALYSIS_SIDE / max(width, height))
    small = rgb.resize(
        (max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.NEAREST
    )
    indexed = small.quantize(palette=_PALETTE, dither=Image.Dither.NONE)
    w, h = indexed.size
    pixels = [index % len(NAMES) for index in indexed.tobytes()]
    counts = Counter(pixels)
    total = w * h
    colours = [(NAMES[index], count / total) for index, count in counts.most_common()]
    border = Counter(pixels[:w] + pixels[-w:] + pixels[::w] + pixels[w - 1 :: w])
    background = border.most_common(1)[0][0]
    shapes = [
        Found(
            kind, NAMES[colour], (round(x0 / scale), round(y0 / scale), round(x1 / scale), round(y1 / scale))
        )
        for kind, colour, (x0, y0, x1, y1) in find_shapes(pixels, w, h, background)
    ]
    brightness = ImageStat.Stat(rgb.convert("L")).mean[0]
    return Analysis(width, height, fmt, mode, NAMES[background], colours, brightness, shapes)


Box = tuple[int, int, int, int]


def find_shapes(pixels: list[int], w: int, h: int, background: int) -> list[tuple[str, int, Box]]:
    """Connected patches (4-neighbours) of one colour, other than the background, away from the border."""
    seen = bytearray(w * h)
    found: list[tuple[str, int, Box]] = []
    minimum = max(4, int(w * h * MIN_SHAPE_SHARE))
    for start in range(w * h):
        if seen[start] or pixels[start] == background:
            continue
        colour = pixels[start]
        queue = deque([start])
        seen[start] = 1
        area, x0, y0, x1, y1, on_border = 0, w, h, -1, -1, False
        while queue:
            at = queue.popleft()
            y, x = divmod(at, w)
            area += 1
            x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
            if x in (0, w - 1) or y in (0, h - 1):
                on_border = True
            for step, ok in ((-1, x > 0), (1, x < w - 1), (-w, y > 0), (w, y < h - 1)):
                near = at + step
                if ok and not seen[near] and pixels[near] == colour:
                    seen[near] = 1
                    queue.append(near)
        if on_border or area < minimum:
            continue
        box_w, box_h = x1 - x0 + 1, y1 - y0 + 1
        kind = shape_kind(area / (box_w * box_h), box_w / box_h)
        if kind:
            found.append((kind, colour, (x0, y0, x1 + 1, y1 + 1)))
    found.sort(key=lambda item: (item[2][1], item[2][0]))
    return found


def shape_kind(fill: float, aspect: float) -> str | None:
    """Tell a shape by how much of its bounding box it fills and by the box's width over its height."""
    squarish = 0.85 <= aspect <= 1.18
    if fill >= 0.88:
        return "square" if squarish else "rectangle"
    if 0.68 <= fill < 0.88:
        return "circle" if squarish else "oval"
    if 0.44 <= fill < 0.62:
        return "triangle"
    if 0.28 <= fill < 0.44:
        return "star"
    return None


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def shape_list(shapes: list[Found]) -> str:
    groups = Counter((shape.colour, shape.kind) for shape in shapes)
    return join([plural(count, f"{colour} {kind}") for (colour, kind), count in groups.items()])


def brightness_word(luma: float) -> str:
    for limit, word in ((50, "very dark"), (100, "dark"), (160, "of medium brightness"), (210, "bright")):
        if luma < limit:
            return word
    return "very bright"


def colour_phrase(colours: list[tuple[str, float]]) -> str:
    main = [(name, share) for name, share in colours if share >= 0.02][:4]
    first, *rest = main or colours[:1]
    text = f"mostly {first[0]} ({first[1]:.0%})"
    if rest:
        text += " with " + join([f"{name} ({share:.0%})" for name, share in rest])
    return text


def caption(a: Analysis) -> str:
    text = f"A {a.width}x{a.height} {a.format} image, {brightness_word(a.brightness)}, "
    text += f"{colour_phrase(a.colours)}."
    if a.shapes:
        text += f" On a {a.background} background I can make out {plural(len(a.shapes), 'shape')}: "
        text += shape_list(a.shapes) + "."
    else:
        text += " I can make out no separate flat shapes."
    return text


def answer(question: str, a: Analysis) -> str:
    """A question about the image answered from the analysis, or the caption when it is not one of those."""
    q = question.lower()
    words = re.findall(r"[a-z]+", q)
    kinds = {SHAPES.get(word, word) for word in words if word in SHAPES or word in ("oval", "ovals")}
    kinds = {"oval" if kind == "ovals" else kind for kind in kinds}
    colours = {name for word in words if (name := colour_word(word))}
    chosen = [s for s in a.shapes if (not kinds or s.kind in kinds) and (not colours or s.colour in colours)]
    if "how many" in q:
        if not chosen:
            what = " ".join([*sorted(colours), "/".join(sorted(kinds)) or "shape"])
            return f"I count no {what}s."
        if kinds:
            return f"I count {shape_list(chosen)}."
        return f"I count {plural(len(chosen), 'shape')}: {shape_list(chosen)}."
    if re.search(r"\b(what|which) colou?rs?\b", q) or "colour is" in q or "color is" in q:
        if kinds and chosen:
            return (
                "The " + join([f"{kind}s are {shape_colours(chosen, kind)}" for kind in sorted(kinds)]) + "."
            )
        return f"The image is {colour_phrase(a.colours)}."
    if re.search(r"how (big|large|wide|tall)|what size|dimensions|resolution", q):
        text = f"The image is {a.width}x{a.height} pixels."
        if kinds and chosen:
            sizes = [f"{s.colour} {s.kind} {s.box[2] - s.box[0]}x{s.box[3] - s.box[1]}" for s in chosen]
            text += " Shapes (bounding boxes, pixels): " + join(sizes) + "."
        return text
    if re.search(r"\b(bright|dark|light)\b", q):
        return f"The image is {brightness_word(a.brightness)} (mean brightness {a.brightness:.0f} of 255)."
    if re.search(r"what shapes?|which shapes?", q):
        return f"I can make out {shape_list(a.shapes)}." if a.shapes else "I can make out no flat shapes."
    return caption(a)


def shape_colours(shapes: list[Found], kind: str) -> str:
    names = list(dict.fromkeys(s.colour for s in shapes if s.kind == kind))
    return join(names) if names else "not there"
