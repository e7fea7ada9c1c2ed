"""The site's chrome and type: the logo beside the name, the favicon, the footer's way to the API docs,
a fluid type scale, and tabular figures wherever numbers are shown."""

import re
from pathlib import Path
from xml.etree import ElementTree as ET

STATIC = Path(__file__).resolve().parent.parent / "static"
BASE_CSS = (STATIC / "css" / "base.css").read_text()


def test_the_header_draws_the_logo_beside_the_name(client, db):
    html = client.get("/").content.decode()
    brand = html[html.index('<a class="brand"') : html.index("</a>", html.index('<a class="brand"'))]

    assert '<svg class="brand-logo"' in brand and 'aria-hidden="true"' in brand
    assert '<span class="brand-name">AI Model Platform</span>' in brand
    assert 'rel="icon" href="/static/img/favicon.svg"' in html


def test_the_logo_files_are_svg_drawings_of_the_same_mark():
    for name in ("logo.svg", "favicon.svg"):
        root = ET.fromstring((STATIC / "img" / name).read_text())
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        paths = [p.get("d") for p in root.iter("{http://www.w3.org/2000/svg}path")]
        assert paths == ["M9.5 22.5 16 9.5l6.5 13M12 17.5h8"], name


def test_the_footer_leads_to_the_api_docs_not_the_bare_explorer(client, db):
    html = client.get("/models/").content.decode()
    footer = html[html.index('<footer class="site-footer">') :]

    assert '<a href="/docs/">API docs</a>' in footer
    assert "/api/v1/docs" not in footer


def test_the_type_scale_is_fluid_and_every_heading_uses_it():
    for step in range(-1, 5):
        assert re.search(rf"--step-{step}: clamp\(", BASE_CSS), f"--step-{step} is not fluid"
    assert re.search(r"h1 \{ font-size: var\(--step-3\)", BASE_CSS)
    assert re.search(r"--font: system-ui,", BASE_CSS)


def test_figures_use_tabular_numbers():
    css = re.sub(r"/\*.*?\*/", "", BASE_CSS, flags=re.S)
    rule = re.search(r"([^{}]+)\{ font-variant-numeric: tabular-nums; \}", css)
    assert rule, "no tabular-nums rule in base.css"
    selectors = {s.strip() for s in rule.group(1).replace("\n", " ").split(",")}
    assert {"table", "dd", ".num", ".price", ".stat", ".chart", ".count-pill", ".meta-figure"} <= selectors
