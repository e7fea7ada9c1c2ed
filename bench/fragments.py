"""What the fragments that pages repeat cost in Python, in Django's template engine and in Jinja2, as ratios.

    .venv/bin/python bench/fragments.py [--rounds 15]

The history list's 25 rows, the dashboard's per-model rows of 40 models, the history and catalog filter
forms' widgets (the history's model select holds 50 options) and the 24 star ratings of a page of cards,
each drawn three ways in one process, under production settings (DEBUG off):

- python: the markup as it was written in Python f-strings before the fragments went back to templates
  (copied below as it was, so that the comparison can be run again);
- django: Django's engine through the cached loader, as production loads templates (the widgets through
  Django's own form renderer and its widget templates);
- jinja2: the site's code now, the fragments drawn by the Jinja2 engine (templates/jinja2/).

Each round runs every variant in turn, so the machine's other load falls on all of them alike; the table
gives each variant's best round in microseconds per fragment and its ratio to the Python version. Needs
no database: the rows are built in memory.
"""

import argparse
import os
import re
import secrets
import sys
import time
from dataclasses import asdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from html import escape
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

HISTORY_ROWS = 25
DASHBOARD_MODELS = 40
MODEL_OPTIONS = 50
STARS = 24


# --- The fragments as they were written in Python -----------------------------------------------------------


def python_history_rows(rows) -> str:
    html = []
    for row in rows:
        text = {key: escape(value) for key, value in row.items() if isinstance(value, str)}
        rating = f"{row['rating']}/5" if row["rating"] else '<span class="muted">—</span>'
        html.append(
            "<tr>"
            f'<td data-label="When"><time datetime="{text["when_iso"]}">{text["when"]}</time></td>'
            f'<td data-label="Model">{text["model"]}<br>'
            f'<span class="muted history-sub">{text["session_id"]}</span></td>'
            f'<td class="history-prompt" data-label="Prompt"><a href="{text["url"]}">{text["prompt"]}</a></td>'
            f'<td data-label="Status"><span class="badge history-status history-status-{text["status"]}">'
            f"{text['status_label']}</span></td>"
            f'<td class="num" data-label="Latency">{text["latency"]}</td>'
            f'<td class="num" data-label="Cost">${text["cost"]}</td>'
            f'<td data-label="Rating">{rating}</td>'
            "</tr>"
        )
    return "\n".join(html)


def python_dashboard_rows(table, *, selected, days_count, badge) -> str:
    from core.charts import NO_VALUE
    from core.http import around_slug

    before, after = around_slug("dashboard:model_detail")
    badges: dict[str, str] = {}
    rows = []
    for row in table:
        model = row.model
        if model.status not in badges:
            badges[model.status] = badge(model)
        api_name = escape(model.api_name)
        url = escape(before + model.api_name + after)
        errors = f"{row.errors:,}"
        if row.error_rate is not None:
            errors += f' <span class="muted">({row.error_rate}%)</span>'
        revenue = Decimal(row.revenue).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rating = f"{model.average_rating:f} ({model.rating_count})" if model.rating_count else NO_VALUE
        row_class = ' class="is-selected"' if selected and selected.pk == model.pk else ""
        rows.append(
            f"<tr{row_class}>"
            f'<th scope="row"><a href="{url}">{escape(model.display_name)}</a><br>'
            f'<a class="small" href="?days={days_count}&amp;model={api_name}">charts</a></th>'
            f"<td>{badges[model.status]}</td>"
            f"<td>{row.calls:,}</td>"
            f"<td>{errors}</td>"
            f"<td>{NO_VALUE if row.mean_ms is None else f'{row.mean_ms} ms'}</td>"
            f"<td>${revenue:,f}</td>"
            f"<td>{model.total_requests:,}</td>"
            f"<td>{rating}</td>"
            "</tr>"
        )
    return "\n".join(rows)


def _attrs(attrs: dict) -> str:
    from django.utils.html import format_html

    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, escape(str(value)))
        for name, value in attrs.items()
        if value is not False
    )


def python_widgets():
    """OptionsSelect and the inputs written in Python, as core.forms had them."""
    from django import forms
    from django.forms.widgets import Input
    from django.utils.html import conditional_escape, format_html
    from django.utils.safestring import mark_safe

    class OptionsSelect(forms.Select):
        def render(self, name, value, attrs=None, renderer=None):
            widget = self.get_context(name, value, attrs)["widget"]
            html = [format_html('<select name="{}"{}>', widget["name"], mark_safe(_attrs(widget["attrs"])))]
            for group_name, options, _ in widget["optgroups"]:
                if group_name:
                    html.append(format_html('\n  <optgroup label="{}">', group_name))
                for option in options:
                    attrs = option["attrs"]
                    html.append(
                        f'\n  <option value="{escape(str(option["value"]))}"{_attrs(attrs) if attrs else ""}>'
                        f"{conditional_escape(option['label'])}</option>\n"
                    )
                if group_name:
                    html.append("\n  </optgroup>")
            html.append("\n</select>")
            return mark_safe("".join(html))

    class InputInPython(Input):
        def render(self, name, value, attrs=None, renderer=None):
            widget = self.get_context(name, value, attrs)["widget"]
            value_attr = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
            return format_html(
                '<input type="{}" name="{}"{}{}>',
                widget["type"],
                widget["name"],
                value_attr,
                mark_safe(_attrs(widget["attrs"])),
            )

    class TextInput(InputInPython, forms.TextInput):
        pass

    class NumberInput(InputInPython, forms.NumberInput):
        pass

    class DateInput(InputInPython, forms.DateInput):
        pass

    return {"select": OptionsSelect, "text": TextInput, "number": NumberInput, "date": DateInput}


@lru_cache(maxsize=64)
def _star_spans(halves: int) -> str:
    spans = []
    for star in range(1, 6):
        shape = "full" if halves >= star * 2 else "half" if halves == star * 2 - 1 else "empty"
        spans.append(f'<span class="star star-{shape}" aria-hidden="true">★</span>')
    return "".join(spans)


def python_stars(value, count=None, size=""):
    from catalog.templatetags.catalog_extras import rating_text

    try:
        rating = Decimal(str(value or 0))
    except InvalidOperation:
        rating = Decimal(0)
    rating = min(max(rating, Decimal(0)), Decimal(5))
    halves = int((rating * 2).quantize(Decimal(1)))
    label = f"Rated {rating_text(rating)} out of 5"
    if count is not None:
        label += f" from {count} rating{'' if count == 1 else 's'}"
    size_class = f" stars-{escape(size)}" if size else ""
    return f'<span class="stars{size_class}" role="img" aria-label="{escape(label)}">{_star_spans(halves)}</span>'


# --- The same fragments as Django templates -----------------------------------------------------------------

DJANGO_TEMPLATES = {
    "history_rows.html": """{% for row in rows %}
<tr>
  <td data-label="When"><time datetime="{{ row.when_iso }}">{{ row.when }}</time></td>
  <td data-label="Model">{{ row.model }}<br><span class="muted history-sub">{{ row.session_id }}</span></td>
  <td class="history-prompt" data-label="Prompt"><a href="{{ row.url }}">{{ row.prompt }}</a></td>
  <td data-label="Status"><span class="badge history-status history-status-{{ row.status }}">{{ row.status_label }}</span></td>
  <td class="num" data-label="Latency">{{ row.latency }}</td>
  <td class="num" data-label="Cost">${{ row.cost }}</td>
  <td data-label="Rating">{% if row.rating %}{{ row.rating }}/5{% else %}<span class="muted">—</span>{% endif %}</td>
</tr>{% endfor %}""",
    "dashboard_rows.html": """{% for row in rows %}
<tr{% if row.selected %} class="is-selected"{% endif %}>
  <th scope="row"><a href="{{ row.url }}">{{ row.name }}</a><br><a class="small" href="?days={{ days_count }}&amp;model={{ row.api_name }}">charts</a></th>
  <td>{{ row.badge }}</td>
  <td>{{ row.calls }}</td>
  <td>{{ row.errors }}{% if row.error_rate is not None %} <span class="muted">({{ row.error_rate }}%)</span>{% endif %}</td>
  <td>{{ row.latency }}</td>
  <td>${{ row.revenue }}</td>
  <td>{{ row.total_requests }}</td>
  <td>{{ row.rating }}</td>
</tr>{% endfor %}""",
    "stars.html": """<span class="stars{% if size %} stars-{{ size }}{% endif %}" role="img" aria-label="{{ label }}">"""
    """{% for shape in shapes %}<span class="star star-{{ shape }}" aria-hidden="true">★</span>{% endfor %}</span>""",
}


def django_engine():
    from django.template import Engine

    loaders = [
        (
            "django.template.loaders.cached.Loader",
            [("django.template.loaders.locmem.Loader", DJANGO_TEMPLATES)],
        )
    ]
    return Engine(loaders=loaders, debug=False)


# --- Inputs -------------------------------------------------------------------------------------------------


def history_entries():
    """What activity.views.history._list_rows gets: a page of entries with awkward text."""
    import uuid
    from datetime import UTC, datetime, timedelta

    from activity.models import HistoryStatus, UserHistory
    from catalog.models import AIModel

    model = AIModel(display_name="R&D <Lab> Model")
    statuses = [HistoryStatus.COMPLETED, HistoryStatus.FAILED, HistoryStatus.TIMEOUT]
    return [
        UserHistory(
            history_id=uuid.uuid4(),
            model=model,
            session_id=f"session-{i % 4}",
            prompt=("<b>bold</b> & 'quoted' " * 8) if i % 3 == 0 else f"Summarise item {i} in one line",
            status=statuses[i % 3],
            request_timestamp=datetime(2026, 3, 1, tzinfo=UTC) - timedelta(minutes=37 * i),
            response_time_ms=None if i % 7 == 0 else 40 + i,
            cost_incurred=Decimal("0.0100") * i,
            user_rating=None if i % 2 else 1 + i % 5,
        )
        for i in range(HISTORY_ROWS)
    ]


def dashboard_table():
    from catalog.models import AIModel, ModelStatus
    from dashboard.selectors import ModelPeriodFigures

    statuses = [ModelStatus.ACTIVE, ModelStatus.ACTIVE, ModelStatus.UNDER_REVIEW, ModelStatus.DEPRECATED]
    table = []
    for i in range(DASHBOARD_MODELS):
        model = AIModel(
            display_name=f"Model {i} <&>",
            api_name=f"model-{i}",
            status=statuses[i % 4],
            total_requests=123_456 * i,
            rating_count=i % 5,
            average_rating=Decimal("4.25"),
        )
        figures = ModelPeriodFigures(model=model, calls=9_876 * i, errors=i * 3, processing_ms=i * 50_000)
        figures.revenue = Decimal("12.3456") * i
        table.append(figures)
    return table


def widget_cases(kind: dict):
    """(widget, name, value, attrs) of the history and catalog filter forms, as BoundField renders them."""
    from django import forms

    from activity.models import HistoryStatus
    from catalog.filters import RATING_CHOICES, SortChoice
    from catalog.models import Category

    models = [("", "Any model")] + [(f"model-{i}", f"Model {i} & co") for i in range(MODEL_OPTIONS)]
    return [
        # The history filter.
        (kind["text"](attrs={"type": "search"}), "q", "", {"id": "id_q", "maxlength": "200"}),
        (kind["select"](choices=models), "model", "model-7", {"id": "id_model"}),
        (
            kind["select"](choices=[("", "Any status")] + HistoryStatus.choices),
            "status",
            "",
            {"id": "id_status"},
        ),
        (kind["text"](), "session", "", {"id": "id_session", "maxlength": "100"}),
        (kind["date"](attrs={"type": "date"}), "date_from", "2026-01-02", {"id": "id_date_from"}),
        (kind["date"](attrs={"type": "date"}), "date_to", None, {"id": "id_date_to"}),
        # The catalog filter.
        (
            kind["text"](attrs={"type": "search", "placeholder": "Search models, tags, descriptions…"}),
            "q",
            "summ",
            {"id": "id_q", "maxlength": "200"},
        ),
        (
            kind["select"](choices=[("", "Any")] + Category.choices),
            "category",
            "translation",
            {"id": "id_category"},
        ),
        (kind["text"](), "developer", "", {"id": "id_developer", "maxlength": "150"}),
        (kind["select"](choices=[("", "Any")] + RATING_CHOICES), "min_rating", "3", {"id": "id_min_rating"}),
        (kind["number"](attrs={"step": "0.0001", "min": "0"}), "min_price", None, {"id": "id_min_price"}),
        (kind["number"](attrs={"step": "0.0001", "min": "0"}), "max_price", "0.5", {"id": "id_max_price"}),
        (forms.Select(choices=SortChoice.choices), "sort", "popular", {"id": "id_sort"}),
    ]


def same(text) -> str:
    """Markup with the whitespace between tags taken out: the Python versions wrote none."""
    return re.sub(r">\s+<", "><", "".join(text) if isinstance(text, list) else str(text)).strip()


# --- The measure --------------------------------------------------------------------------------------------


def best_of(rounds: int, variants: dict, loops: int) -> dict[str, float]:
    """Microseconds per call of each variant: the best of `rounds` rounds, the variants taking turns."""
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(rounds):
        for name, call in variants.items():
            start = time.perf_counter()
            for _ in range(loops):
                call()
            best[name] = min(best[name], (time.perf_counter() - start) / loops * 1e6)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description="Fragments in Python, Django templates and Jinja2.")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--loops", type=int, default=50, help="calls per variant per round")
    args = parser.parse_args()

    os.environ.update(DEBUG="0", LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="config.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    # Settings want a database; nothing here connects to it.
    os.environ.setdefault("DATABASE_URL", "postgres://unused@127.0.0.1:1/unused")
    import django

    django.setup()
    from django import forms
    from django.forms.renderers import DjangoTemplates, get_default_renderer
    from django.template import Context
    from django.template.loader import render_to_string

    from activity.views.history import _list_rows
    from catalog.templatetags.catalog_extras import stars, stars_context
    from core.templating import render_fragment
    from dashboard.views.overview import model_rows, per_model_rows

    engine = django_engine()
    history_rows = _list_rows(history_entries())
    history_dicts = [asdict(row) for row in history_rows]
    table = dashboard_table()

    def badge(model):
        return render_to_string(
            "dashboard/_status_badge.html", {"status": model.status, "label": model.get_status_display()}
        )

    selected = table[2].model
    ratings = [(Decimal(f"{(i * 37) % 50 / 10:.1f}"), i * 3, "small") for i in range(STARS)]

    python_kind = python_widgets()
    django_kind = {
        "select": forms.Select,
        "text": forms.TextInput,
        "number": forms.NumberInput,
        "date": forms.DateInput,
    }
    django_renderer, site_renderer = DjangoTemplates(), get_default_renderer()

    def widgets(cases, renderer):
        return "".join(widget.render(name, value, attrs, renderer) for widget, name, value, attrs in cases)

    python_cases, django_cases = widget_cases(python_kind), widget_cases(django_kind)
    history_template = engine.get_template("history_rows.html")
    dashboard_template = engine.get_template("dashboard_rows.html")
    stars_template = engine.get_template("stars.html")

    fragments = {
        f"history rows ({HISTORY_ROWS})": {
            "python": lambda: python_history_rows(history_dicts),
            "django": lambda: history_template.render(Context({"rows": history_rows})),
            "jinja2": lambda: render_fragment("activity/_history_rows.html", {"rows": history_rows}),
        },
        f"dashboard rows ({DASHBOARD_MODELS} models)": {
            "python": lambda: python_dashboard_rows(table, selected=selected, days_count=30, badge=badge),
            "django": lambda: dashboard_template.render(
                Context({"rows": model_rows(table, selected=selected), "days_count": 30})
            ),
            "jinja2": lambda: per_model_rows(table, selected=selected, days_count=30),
        },
        f"filter widgets (13, one select of {MODEL_OPTIONS + 1} options)": {
            "python": lambda: widgets(python_cases, django_renderer),
            "django": lambda: widgets(django_cases, django_renderer),
            "jinja2": lambda: widgets(django_cases, site_renderer),
        },
        f"stars ({STARS})": {
            "python": lambda: [python_stars(*rating) for rating in ratings],
            "django": lambda: [stars_template.render(Context(stars_context(*rating))) for rating in ratings],
            "jinja2": lambda: [stars(*rating) for rating in ratings],
        },
    }

    # Every variant writes the same markup, or the comparison means nothing.
    for name, variants in fragments.items():
        outputs = {variant: same(call()) for variant, call in variants.items()}
        if len(set(outputs.values())) > 1:
            print(f"{name}: the variants' markup differs", file=sys.stderr)
            return 1

    print(
        f"best of {args.rounds} rounds × {args.loops} calls, µs per fragment; ratio to the Python version\n"
    )
    print("| fragment | python µs | django µs | jinja2 µs | django ÷ python | jinja2 ÷ python |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, variants in fragments.items():
        best = best_of(args.rounds, variants, args.loops)
        print(
            f"| {name} | {best['python']:,.0f} | {best['django']:,.0f} | {best['jinja2']:,.0f} "
            f"| {best['django'] / best['python']:.2f} | {best['jinja2'] / best['python']:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
