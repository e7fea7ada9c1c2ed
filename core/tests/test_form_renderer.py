"""The site's form renderer and Jinja2 environment: widgets drawn by Jinja2 with the markup of Django's own
templates, and values escaped as Django's engine escapes them."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import Context, Template, engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.templating import escape_as_django, render_fragment

CHOICES = [
    ("", "Any <model>"),
    ("a&b", "A & B"),
    (3, "Three"),
    ("Group", [("g1", "G1"), ("g2", 'G "2"')]),
]
INPUTS = [
    forms.TextInput,
    forms.NumberInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.SearchInput,
    forms.TelInput,
    forms.ColorInput,
]


def test_inputs_and_selects_are_drawn_by_jinja2_and_other_form_templates_by_django():
    renderer = get_default_renderer()
    for widget in [*INPUTS, forms.Select, forms.SelectMultiple, forms.NullBooleanSelect]:
        assert renderer.get_template(widget.template_name).backend is engines["jinja2"], widget
    for name in (
        "django/forms/label.html",
        "django/forms/errors/list/ul.html",
        forms.RadioSelect.template_name,
    ):
        assert renderer.get_template(name).backend is not engines["jinja2"], name


@pytest.mark.parametrize("widget", [forms.Select, forms.SelectMultiple])
@pytest.mark.parametrize("value", [None, "", "a&b", "3", "g2", ["a&b", "g2"], "not-a-choice"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_m", "aria-invalid": "true", "required": True, "disabled": False, "data-x": 'q"u'}],
)
def test_the_select_writes_the_markup_of_djangos_templates(widget, value, attrs):
    expected = widget(choices=CHOICES).render("m<x", value, attrs=attrs, renderer=DjangoTemplates())

    assert widget(choices=CHOICES).render("m<x", value, attrs=attrs) == expected


@pytest.mark.parametrize("widget", INPUTS)
@pytest.mark.parametrize("value", [None, "", "a&b<c>", 'q"u', "it's", 0, Decimal("0.0100"), date(2026, 2, 3)])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_q", "type": "search", "maxlength": "200", "required": True, "disabled": False}],
)
def test_the_inputs_write_the_markup_of_djangos_templates(widget, value, attrs):
    expected = widget(attrs={"placeholder": "A & <b>"}).render(
        "q<x", value, attrs=attrs, renderer=DjangoTemplates()
    )

    assert widget(attrs={"placeholder": "A & <b>"}).render("q<x", value, attrs=attrs) == expected


@pytest.mark.parametrize(
    "value",
    ["plain", "<b>'a' & \"b\"</b>", mark_safe("<i>kept</i>"), gettext_lazy("Any <model>"), 3, None, 1.5],
)
def test_jinja2_escapes_a_value_as_djangos_engine_does(value):
    django_writes = Template("{{ value }}").render(Context({"value": value}))

    assert escape_as_django(value) == django_writes
    assert engines["jinja2"].from_string("{{ value }}").render({"value": value}) == django_writes


def test_a_fragment_is_safe_to_show_in_a_django_template():
    html = render_fragment("catalog/_stars.html", {"shapes": ("full",), "label": "<b>", "size": ""})

    assert Template("{{ html }}").render(Context({"html": html})) == html
    assert 'aria-label="&lt;b&gt;"' in html
