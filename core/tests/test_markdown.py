"""core.markdown: answers drawn from Markdown, and everything hostile in them shown as text or dropped."""

import re
import time
from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString

from core.markdown import MAX_MARKDOWN_CHARS, PLAIN_TEXT_READ_CHARS, TAGS, markdown_to_text, render_markdown


class Audit(HTMLParser):
    """Every tag and attribute of the output, parsed as a browser would see them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]


def assert_inert(html: str) -> None:
    """Nothing a browser would run or the CSP would have to forgive: no tag outside the allow-list, no
    script, style or event handler, no link to anything but http(s), mailto or this site."""
    audit = Audit(html)
    assert set(audit.tags) <= TAGS, set(audit.tags) - TAGS
    for tag, name, value in audit.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name not in {"style", "src", "srcset", "formaction", "action"}, (tag, name)
        if name == "href":
            assert re.match(r"^(https?:|mailto:|/|#|[^:]*$)", value or ""), value


def test_it_renders_paragraphs_lists_emphasis_and_code():
    html = render_markdown("Some **bold** and *em* and `code`.\n\n- one\n- two\n\n1. first\n2. second\n")

    assert "<p>Some <strong>bold</strong> and <em>em</em> and <code>code</code>.</p>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html
    assert isinstance(html, SafeString)


def test_a_fenced_code_block_keeps_its_text_escaped():
    html = render_markdown('```python\nif a < b and c > "d":\n    print(a & b)\n```\n')

    assert '<pre><code>if a &lt; b and c &gt; "d":\n    print(a &amp; b)\n</code></pre>' in html


def test_tables_are_drawn_with_alignment_as_classes_not_styles():
    html = render_markdown("| name | price |\n| :--- | ---: |\n| demo | 0.02 |\n")

    assert "<table>" in html
    assert '<th class="md-align-left">name</th>' in html
    assert '<td class="md-align-right">0.02</td>' in html
    assert "style" not in html


def test_links_are_nofollow_noopener():
    html = render_markdown("See [the docs](https://example.com/docs) or <https://example.org>.")

    assert '<a href="https://example.com/docs" rel="nofollow noopener">the docs</a>' in html
    assert '<a href="https://example.org" rel="nofollow noopener">https://example.org</a>' in html


def test_an_image_becomes_a_link_to_it_so_nothing_is_loaded_from_elsewhere():
    html = render_markdown("![a chart](https://tracker.example/pixel.png)")

    assert "<img" not in html
    assert '<a href="https://tracker.example/pixel.png" rel="nofollow noopener">a chart</a>' in html


def test_headings_start_at_the_level_the_page_gives():
    html = render_markdown("# Title\n\n## Part\n\n###### Deep", heading_level=4)

    assert "<h4>Title</h4>" in html
    assert "<h5>Part</h5>" in html
    assert "<h6>Deep</h6>" in html
    assert "<h1" not in render_markdown("# Title")


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "Hello <script>alert(document.cookie)</script> world",
        '<img src=x onerror="alert(1)">',
        "<div onclick='alert(1)'>click</div>",
        '<p style="position:fixed;top:0">overlay</p>',
        "<style>body{display:none}</style>",
        "<iframe src='https://evil.example'></iframe>",
        '<a href="javascript:alert(1)">x</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1)  )",
        "[click](java\tscript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "![x](javascript:alert(1))",
        '[x](https://example.com "title\\" onmouseover=\\"alert(1)")',
        "<!-- comment --><svg onload=alert(1)>",
        "<details open ontoggle=alert(1)>",
        "<form action=https://evil.example><button>go</button></form>",
        "[ref]\n\n[ref]: javascript:alert(1)",
        '<https://example.com/" onmouseover="alert(1)>',
        "`<script>alert(1)</script>`",
        "```html\n<script>alert(1)</script>\n```",
        "| a |\n| - |\n| <img src=x onerror=alert(1)> |",
    ],
)
def test_hostile_input_is_shown_as_text_or_dropped(hostile):
    html = render_markdown(hostile)

    assert_inert(html)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html


def test_raw_html_is_shown_as_text():
    html = render_markdown('<div class="x">\n<b>bold?</b>\n</div>\n\nInline <span>span</span>.')

    assert "&lt;div class=&quot;x&quot;&gt;" in html or '&lt;div class="x"&gt;' in html
    assert "&lt;span&gt;span&lt;/span&gt;" in html
    assert "<div" not in html and "<span" not in html and "<b>" not in html


def test_a_javascript_link_keeps_its_text_but_not_its_target():
    html = render_markdown("[click me](javascript:alert(1))")

    assert "click me" in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize(
    "pathological",
    [
        "[" * 50_000,
        "*a" * 40_000,
        "> " * 40_000 + "deep",
        "- " * 40_000 + "x",
        "`" * 50_000,
        "a" * 90_000,
        "| a " * 10_000 + "|\n" + "| - " * 10_000 + "|\n",
        "<" * 50_000,
        "[a](" * 20_000,
    ],
)
def test_pathological_input_renders_quickly_and_inertly(pathological):
    # CPU time of this process, not wall-clock time: a guard against a renderer that goes quadratic (minutes),
    # which other work on a shared machine cannot make fail. Speed itself is measured in bench/.
    started = time.process_time()
    html = render_markdown(pathological)

    assert time.process_time() - started < 3
    assert_inert(html)


def test_text_past_the_limit_is_shown_as_escaped_plain_text():
    huge = "# Not a heading\n<script>alert(1)</script>\n" + "word " * (MAX_MARKDOWN_CHARS // 5)

    started = time.process_time()  # CPU time, as above
    html = render_markdown(huge)

    assert time.process_time() - started < 1
    assert html.startswith('<p class="md-plain"># Not a heading\n&lt;script&gt;')
    assert "<h" not in html.replace('<p class="md-plain">', "")


def test_empty_text_is_empty():
    assert render_markdown("") == ""


def test_lifted_headings_start_at_the_level_given_whatever_the_texts_shallowest():
    text = "Intro.\n\n## Usage\n\n### Limits\n\n#### Detail"

    assert re.findall(r"<h\d>", render_markdown(text, heading_level=2, lift_headings=True)) == [
        "<h2>",
        "<h3>",
        "<h4>",
    ]
    assert re.findall(r"<h\d>", render_markdown(text, heading_level=2)) == ["<h3>", "<h4>", "<h5>"]
    assert (
        render_markdown("No heading at all.", heading_level=2, lift_headings=True)
        == "<p>No heading at all.</p>\n"
    )


@pytest.mark.parametrize(
    "text, words",
    [
        ("Plain words stay.\nOn one line.", "Plain words stay. On one line."),
        ("## Usage\n\nSend **one** text, *quickly*.", "Usage Send one text, quickly."),
        ("- fast\n- cheap\n1. first\n> quoted", "fast cheap first quoted"),
        ("See [the docs](https://example.com) and ![a chart](c.png).", "See the docs and a chart."),
        ("Call `invoke` ~~twice~~ once.", "Call invoke twice once."),
        ("| a | b |\n|---|:-:|\n| 1 | 2 |", "a b 1 2"),
        ("```python\nprint(1)\n```\n---\nafter", "print(1) after"),
        ("snake_case_name and 2*3*4 stay", "snake_case_name and 2*3*4 stay"),
        ("<b>tags</b> stay as text", "<b>tags</b> stay as text"),
    ],
)
def test_markdown_to_text_keeps_the_words_and_drops_the_syntax(text, words):
    assert markdown_to_text(text) == words


def test_markdown_to_text_reads_only_the_start_of_a_long_text():
    assert len(markdown_to_text("word " * 10_000)) < PLAIN_TEXT_READ_CHARS
