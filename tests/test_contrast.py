"""Contrast of the site's colours in both themes, read from the custom properties of static/css/base.css.

Every pair of colours the stylesheets use for text reaches 4.5:1 (WCAG 2.2 AA, 1.4.3); borders of form
controls, the focus ring and chart marks reach 3:1 against what they sit on (1.4.11). No stylesheet
writes a colour outside the token blocks, so these pairs are every colour the site draws text with, but
the category avatars: identity art, the same in both themes, whose white initials are checked here too.
"""

import re
from pathlib import Path

import pytest

CSS_DIR = Path(__file__).resolve().parent.parent / "static" / "css"
BASE = (CSS_DIR / "base.css").read_text()

TEXT = 4.5
UI = 3.0
# (foreground, background, minimum): where each pair is used is in the comment beside it.
PAIRS = [
    ("text", "bg", TEXT),  # the page
    ("text", "surface", TEXT),  # cards, panels, tables
    ("text", "surface-2", TEXT),  # chips, hovered theme switch
    ("text", "accent-soft", TEXT),  # info messages, the playground's prompts, the selected table row
    ("text", "ok-soft", TEXT),  # success messages
    ("text", "warn-soft", TEXT),  # warnings
    ("text", "danger-soft", TEXT),  # errors, failed answers
    ("text", "rating-pick", TEXT),  # the picked rating in the review form
    ("muted", "bg", TEXT),  # the footer, notes on the page
    ("muted", "surface", TEXT),  # notes, table headers, the theme switch
    ("muted", "surface-2", TEXT),  # tags and count pills
    ("muted", "accent-soft", TEXT),  # notes in the selected row and in notices
    ("faint", "surface", TEXT),  # empty facets, disabled page links
    ("faint", "bg", TEXT),
    ("accent", "surface", TEXT),  # links
    ("accent", "bg", TEXT),
    ("accent", "accent-soft", TEXT),  # links inside notices and selected rows
    ("accent-dark", "accent-soft", TEXT),  # badges, chips, voted buttons
    ("accent-dark", "surface", TEXT),  # hovered tags, extra lines of cards
    ("cat-a-text", "cat-a", TEXT),  # category badges
    ("on-accent", "accent", TEXT),  # buttons, the current page, the chosen theme
    ("on-accent", "accent-dark", TEXT),  # hovered buttons
    ("on-accent", "danger", TEXT),  # danger buttons, recording
    ("surface", "text", TEXT),  # the current sort
    ("ok", "ok-soft", TEXT),  # status badges
    ("ok", "surface", TEXT),  # prices on cards
    ("warn", "warn-soft", TEXT),
    ("warn", "surface", TEXT),
    ("danger", "danger-soft", TEXT),
    ("danger", "surface", TEXT),  # field errors
    ("like", "like-soft", TEXT),  # a liked model's button
    ("code-text", "code-bg", TEXT),  # code blocks, keys shown once
    ("border-strong", "surface", UI),  # borders of inputs, the theme switch
    ("border-strong", "bg", UI),
    ("accent", "surface", UI),  # the focus ring
    ("chart-calls", "surface", UI),
    ("chart-client-errors", "surface", UI),
    ("chart-server-errors", "surface", UI),
    ("chart-p50", "surface", UI),
    ("chart-p95", "surface", UI),
    ("chart-spending", "surface", UI),
]


def declarations(body: str) -> dict[str, str]:
    return {name: value.strip() for name, value in re.findall(r"--([\w-]+)\s*:\s*([^;]+);", body)}


def block(selector_pattern: str, text: str = BASE) -> str:
    match = re.search(selector_pattern + r"\s*\{([^{}]*)\}", text)
    assert match, f"no block for {selector_pattern} in base.css"
    return match.group(1)


def themes() -> dict[str, dict[str, str]]:
    light = declarations(block(r"(?m)^:root(?=\s*\{)(?=[^}]*color-scheme:\s*light)"))
    dark = declarations(block(r':root\[data-theme="dark"\]'))
    media = re.search(r"@media \(prefers-color-scheme: dark\)\s*\{(.*?\})\s*\}", BASE, re.S)
    assert media, "base.css does not follow prefers-color-scheme"
    system = declarations(block(r':root\[data-theme="system"\]', media.group(1)))
    return {"light": light, "dark": dark, "system dark": system}


def luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_matches_wcag():
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#a4a7b8", "#ffffff"), 1) == 2.4  # the empty facets before the tokens
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


def test_the_dark_theme_is_the_same_chosen_or_followed_from_the_system():
    found = themes()
    assert found["dark"] == found["system dark"]


def test_both_themes_define_the_same_tokens():
    found = themes()
    assert set(found["light"]) == set(found["dark"])


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("foreground", "background", "minimum"), PAIRS)
def test_every_pair_used_for_text_and_controls_is_readable(theme, foreground, background, minimum):
    tokens = themes()[theme]
    ratio = contrast(tokens[foreground], tokens[background])
    assert ratio >= minimum, f"{theme}: --{foreground} on --{background} is {ratio:.2f}:1, under {minimum}:1"


COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(")
IDENTITY_ART = re.compile(r"avatar")


def rules(text: str):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.findall(r"([^{}]+)\{([^{}]*)\}", text)


# The bar above the OpenAPI explorer sits on Swagger UI's own light page, not in the site's themes.
OUTSIDE_THE_THEMES = {"api-docs.css"}


def test_no_stylesheet_writes_a_colour_outside_the_tokens():
    found = []
    for path in sorted(CSS_DIR.glob("*.css")):
        if path.name in OUTSIDE_THE_THEMES:
            continue
        for selector, body in rules(path.read_text()):
            selector = " ".join(selector.split())
            if path.name == "base.css" and selector.startswith(":root"):
                continue
            if IDENTITY_ART.search(selector):
                continue
            if COLOUR.search(body):
                found.append(f"{path.name}: {selector}")
    assert found == []


def test_the_avatars_white_initials_are_readable_on_every_gradient():
    checked = 0
    for path in sorted(CSS_DIR.glob("*.css")):
        for selector, body in rules(path.read_text()):
            if not IDENTITY_ART.search(selector):
                continue
            for colour in re.findall(r"#[0-9a-fA-F]{6}\b", body):
                if colour.lower() == "#ffffff":
                    continue
                checked += 1
                assert contrast("#ffffff", colour) >= TEXT, f"{selector}: white on {colour}"
    assert checked >= 10
