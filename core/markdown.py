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
"""

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


def render_markdown(text: str, *, heading_level: int = 3) -> SafeString:
    """`text` as sanitised HTML; its top-level headings become <h`heading_level`> (2 to 6)."""
    if not text:
        return mark_safe("")  # noqa: S308
    heading_level = min(max(heading_level, 2), 6)
    if len(text) > MAX_MARKDOWN_CHARS:
        html = f'<p class="md-plain">{escape(text)}</p>'
        return mark_safe(html)  # noqa: S308
    html = _PARSER.render(text, {"heading_level": heading_level})
    return mark_safe(_CLEANER.clean(html))  # noqa: S308
