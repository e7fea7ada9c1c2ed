"""Markdown from models and users, rendered to HTML that a page may show as it is.

markdown-it-py parses CommonMark (tables and strikethrough on) with raw HTML off, so `<script>` or
`<img onerror=…>` in an answer is shown as text. nh3 (the Ammonia sanitiser) then keeps only an allow-list
of tags, attributes and URL schemes: a mistake in the renderer still cannot put script, styles or event
handlers on the page. The output needs nothing from the Content-Security-Policy (script-src and style-src
'self'): table alignment becomes a class instead of a style attribute, and an image becomes a link to it,
since an image from elsewhere would be blocked by img-src (and would tell that host who reads the answer).
Links carry rel="nofollow noopener".

Headings start at the level the page gives (an answer sits under the page's own headings, and a `# Title`
in it must not be a second <h1>); deeper levels stop at <h6>.

`markdown_to_text` is the other way out: the words of a Markdown text without its syntax, for places that
show a line of plain text (a model card's summary, a meta description).
"""

import re
from typing import Any

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

# Past this, text is shown as plain text (escaped, line breaks kept): the parser's time grows with the
# text, and an answer this long is rarely Markdown meant for reading.
MAX_MARKDOWN_CHARS = 100_000
ALIGNMENTS = {"left", "center", "right"}
ALIGN_CLASSES = {f"md-align-{alignment}" for alignment in ALIGNMENTS}
TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "table", "thead", "tbody", "tr", "th", "td", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_CLASSES = {"th": ALIGN_CLASSES, "td": ALIGN_CLASSES}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"


def _heading(self: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    level = int(token.tag[1]) - 1 + env.get("heading_level", 3)
    token.tag = f"h{min(level, 6)}"
    return self.renderToken(tokens, idx, options, env)


def _cell(self: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    style = token.attrs.pop("style", None)
    if isinstance(style, str):
        alignment = style.partition(":")[2].strip()
        if alignment in ALIGNMENTS:
            token.attrSet("class", f"md-align-{alignment}")
    return self.renderToken(tokens, idx, options, env)


def _image_as_link(self: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    source = str(token.attrGet("src") or "")
    text = self.renderInlineAsText(token.children or [], options, env) or source
    return f'<a href="{escapeHtml(source)}">{escapeHtml(text)}</a>'


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    for name in ("heading_open", "heading_close"):
        parser.add_render_rule(name, _heading)
    for name in ("th_open", "td_open"):
        parser.add_render_rule(name, _cell)
    parser.add_render_rule("image", _image_as_link)
    return parser


_PARSER = _parser()
_CLEANER = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
)


def render_markdown(text: str, *, heading_level: int = 3, lift_headings: bool = False) -> SafeString:
    """`text` as sanitised HTML; its top-level headings become <h`heading_level`> (2 to 6).

    With lift_headings, the shallowest heading the text uses takes that level, whatever its number of
    `#`: a model card written from `## Usage` down still starts at the page's level, so the page's
    outline does not skip one."""
    if not text:
        return mark_safe("")  # noqa: S308
    heading_level = min(max(heading_level, 2), 6)
    if len(text) > MAX_MARKDOWN_CHARS:
        html = f'<p class="md-plain">{escape(text)}</p>'
        return mark_safe(html)  # noqa: S308
    env = {"heading_level": heading_level}
    tokens = _PARSER.parse(text, env)
    if lift_headings:
        levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
        if levels:
            env["heading_level"] = heading_level - (min(levels) - 1)
    html = _PARSER.renderer.render(tokens, _PARSER.options, env)
    return mark_safe(_CLEANER.clean(html))  # noqa: S308


# Plain text from Markdown, read line by line with a few patterns rather than by the parser: a catalog
# page cuts two dozen summaries, and only the start of each text is read.
PLAIN_TEXT_READ_CHARS = 2_000
_FENCE = re.compile(r"^\s*(```|~~~)")
# A thematic break (---, ***), or a table's delimiter row (|---|:-:|): only pipes, dashes, colons, spaces.
_RULE_OR_TABLE_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$|^(?=.*\|)(?=.*-)[\s|:-]+$")
_LINE_START = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+(?:\[[ xX]\]\s+)?|\d{1,9}[.)]\s+)+")
_CLOSING_HASHES = re.compile(r"\s+#+\s*$")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_CODE = re.compile(r"`+([^`]*)`+")
_SPACES = re.compile(r"\s+")


def markdown_to_text(text: str) -> str:
    """The words of the start of `text` (its first PLAIN_TEXT_READ_CHARS characters) without Markdown
    syntax: no heading marks, list bullets, quote marks, emphasis, code ticks or link targets; table
    cells become words apart; everything on one line. Text without Markdown comes back as it was, its
    whitespace collapsed."""
    lines = []
    for line in text[:PLAIN_TEXT_READ_CHARS].splitlines():
        if _FENCE.match(line) or _RULE_OR_TABLE_RULE.match(line):
            continue
        line = _CLOSING_HASHES.sub("", _LINE_START.sub("", line)) if _LINE_START.match(line) else line
        if "|" in line:
            line = line.strip().strip("|").replace("|", " ")
        line = _IMAGE_OR_LINK.sub(r"\1", line)
        line = _CODE.sub(r"\1", line)
        line = _STRONG.sub(r"\2", line)
        line = _STRIKE.sub(r"\1", line)
        line = _EMPHASIS.sub(r"\2", line)
        lines.append(line)
    return _SPACES.sub(" ", " ".join(lines)).strip()
