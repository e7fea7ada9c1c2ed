"""Accessibility beyond the site guards, on every page and state the guards render.

Headings descend one level at a time, every link and button has a name, the skip link lands on <main>,
landmarks are labelled, tables have header cells, a field with an error is marked invalid and described
by its message, and the stylesheets keep a visible focus ring on everything that can be focused.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests import test_site_guards as guards
from tests.test_site_guards import ROUTES, VARIANTS, Route, fetch

CSS_DIR = Path(__file__).resolve().parent.parent / "static" / "css"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea"}
# The guards' world of personas and rows.
world = guards.world


class Outline(HTMLParser):
    """Headings, named things, landmarks, tables and invalid fields of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.headings: list[int] = []
        self.ids: set[str] = set()
        self.skip_target: str | None = None
        self.main_id: str | None = None
        self.nav_without_label = 0
        self.tables_without_headers = 0
        self._open_tables: list[bool] = []  # per open <table>: has a header cell
        self.unnamed: list[str] = []
        self.invalid_controls: list[dict] = []
        self.error_ids: set[str] = set()
        self._named: list[dict] = []  # open links and buttons collecting their text

    # -- helpers --
    def _inside(self, predicate) -> bool:
        return any(predicate(tag, attrs) for tag, attrs in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "a" and "skip-link" in (attributes.get("class") or ""):
            self.skip_target = (attributes.get("href") or "").lstrip("#")
        if tag == "main":
            self.main_id = attributes.get("id")
        if tag == "nav" and not (attributes.get("aria-label") or attributes.get("aria-labelledby")):
            self.nav_without_label += 1
        if tag == "table":
            self._open_tables.append(False)
        if tag == "th" and self._open_tables:
            self._open_tables[-1] = True
        if tag in ("a", "button") and not (tag == "a" and "href" not in attributes):
            self._named.append(
                {"tag": tag, "text": "", "label": attributes.get("aria-label"), "attrs": attributes}
            )
        if tag == "img" and self._named and attributes.get("alt"):
            self._named[-1]["text"] += attributes["alt"]
        if tag in CONTROLS and (attributes.get("type") or "").lower() not in {"hidden", "submit", "button"}:
            in_error_field = self._inside(
                lambda t, a: "field-error" in (a.get("class") or "").split() and t in {"div", "fieldset"}
            )
            if in_error_field:
                self.invalid_controls.append(attributes)
        if tag == "ul" and "errorlist" in (attributes.get("class") or "").split() and attributes.get("id"):
            self.error_ids.add(attributes["id"])
        if tag not in VOID:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag):
        if tag in ("a", "button") and self._named and self._named[-1]["tag"] == tag:
            item = self._named.pop()
            if not (item["text"].strip() or (item["label"] or "").strip()):
                self.unnamed.append(f"<{tag} {item['attrs']}>")
            elif self._named:
                self._named[-1]["text"] += item["text"]
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break
        if tag == "table" and self._open_tables and not self._open_tables.pop():
            self.tables_without_headers += 1

    def handle_data(self, data):
        if self._named and not self._inside(lambda t, a: a.get("aria-hidden") == "true"):
            self._named[-1]["text"] += data

    # -- verdicts --
    def problems(self) -> list[str]:
        found = []
        previous = 0
        for level in self.headings:
            if previous and level > previous + 1:
                found.append(f"heading level jumps from h{previous} to h{level} (order {self.headings})")
                break
            previous = level
        if self.headings and self.headings[0] != 1:
            found.append(f"the first heading is h{self.headings[0]}, not the page's h1")
        found += [f"no accessible name: {item}" for item in self.unnamed]
        if self.skip_target is None or self.skip_target != self.main_id:
            found.append(f"the skip link points at {self.skip_target!r}, <main> has id {self.main_id!r}")
        if self.nav_without_label:
            found.append(f"{self.nav_without_label} <nav> without aria-label(ledby)")
        if self.tables_without_headers:
            found.append(f"{self.tables_without_headers} <table> without header cells")
        for control in self.invalid_controls:
            if control.get("aria-invalid") != "true":
                found.append(f"<{control.get('name')}> is in an errored field but not aria-invalid")
        return found


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    return parser


HTML_CASES = {
    **{name: (name, route) for name, route in ROUTES.items() if route.kind == "page"},
    **{label: case for label, case in VARIANTS.items() if case[1].kind == "page"},
}


@pytest.mark.parametrize("case", sorted(HTML_CASES))
def test_every_page_reads_well_with_assistive_technology(client, world, case):
    name, route = HTML_CASES[case]
    response = fetch(client, world, name, route)

    assert response.status_code == route.status
    assert outline(response.content.decode()).problems() == []


@pytest.mark.parametrize(
    "case",
    [
        ("accounts:signup", Route(method="post", data=lambda o: {"username": "", "email": "nope"})),
        ("keys:create", Route("alice", method="post", data=lambda o: {"name": ""})),
        ("reviews:create", Route("alice", guards._model, method="post", data=lambda o: {"rating": "9"})),
        ("dashboard:model_create", Route("dana", method="post", data=lambda o: {"api_name": "Bad!"})),
    ],
    ids=["sign-up", "api key", "review", "listing"],
)
def test_a_field_with_an_error_is_marked_invalid(client, world, case):
    name, route = case
    response = fetch(client, world, name, route)

    page = outline(response.content.decode())
    assert page.invalid_controls, "the form shows no field in error"
    assert page.problems() == []


def css_rules() -> list[tuple[str, str, str]]:
    rules = []
    for path in sorted(CSS_DIR.glob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
            rules.append((path.name, " ".join(selector.split()), body))
    return rules


def test_the_base_stylesheet_draws_a_visible_focus_ring():
    rings = [
        body for name, selector, body in css_rules() if name == "base.css" and selector == ":focus-visible"
    ]
    assert rings, "base.css has no :focus-visible rule"
    width = re.search(r"outline:\s*(\d+)px\s+solid", rings[0])
    assert width and int(width.group(1)) >= 2


def test_no_stylesheet_removes_the_focus_ring_without_drawing_another():
    rules = css_rules()
    for name, selector, body in rules:
        if re.search(r"outline:\s*(none|0)\b", body):
            replaced = any(
                other_selector.startswith(selector.split(":focus")[0])
                and "outline:" in other_body
                and other_selector != selector
                and not re.search(r"outline:\s*(none|0)\b", other_body)
                for _, other_selector, other_body in rules
            )
            assert replaced, f"{name}: {selector} hides the focus ring and nothing replaces it"


def test_the_outline_audit_catches_what_it_checks():
    page = outline(
        '<a class="skip-link" href="#content">Skip</a><nav><a href="/x"></a></nav><main id="main"><h2>a</h2>'
        '<h4>b</h4><button><span aria-hidden="true">★</span></button><table><tr><td>1</td></tr></table>'
        '<div class="field field-error"><input name="q"></div></main>'
    )
    problems = " | ".join(page.problems())
    for expected in (
        "jumps from h2 to h4",
        "first heading is h2",
        "no accessible name",
        "skip link",
        "<nav> without",
        "without header cells",
        "not aria-invalid",
    ):
        assert expected in problems
