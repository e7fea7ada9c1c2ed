"""The history filter's pieces: its select written in Python and its date bounds."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.filters import OptionsSelect, on_or_after, on_or_before
from activity.models import UserHistory
from activity.tests.factories import UserHistoryFactory
from core.forms import DateInputInPython, NumberInputInPython, TextInputInPython

CHOICES = [
    ("", "Any <model>"),
    ("a&b", "A & B"),
    (3, "Three"),
    ("Group", [("g1", "G1"), ("g2", 'G "2"')]),
]


@pytest.mark.parametrize("value", [None, "", "a&b", "3", "g2", "not-a-choice"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_m", "aria-invalid": "true", "required": True, "disabled": False, "data-x": 'q"u'}],
)
def test_the_select_writes_the_markup_of_djangos_templates(value, attrs):
    expected = forms.Select(choices=CHOICES).render("m<x", value, attrs=attrs)

    assert OptionsSelect(choices=CHOICES).render("m<x", value, attrs=attrs) == expected


@pytest.mark.parametrize(
    ("ours", "djangos"),
    [
        (TextInputInPython, forms.TextInput),
        (NumberInputInPython, forms.NumberInput),
        (DateInputInPython, forms.DateInput),
    ],
)
@pytest.mark.parametrize("value", [None, "", "a&b<c>", 'q"u', 0, Decimal("0.0100"), date(2026, 2, 3)])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_q", "type": "search", "maxlength": "200", "required": True, "disabled": False}],
)
def test_the_inputs_write_the_markup_of_djangos_templates(ours, djangos, value, attrs):
    expected = djangos(attrs={"placeholder": "A & <b>"}).render("q<x", value, attrs=attrs)

    assert ours(attrs={"placeholder": "A & <b>"}).render("q<x", value, attrs=attrs) == expected


def test_the_last_day_as_an_end_keeps_every_row(alice, model):
    row = UserHistoryFactory(
        user=alice, model=model, request_timestamp=datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    )
    mine = UserHistory.objects.for_user(alice)

    assert list(on_or_before(mine, "request_timestamp", date.max)) == [row]
    assert list(on_or_after(mine, "request_timestamp", date.max)) == [row]
    assert list(on_or_before(mine, "request_timestamp", date(9999, 12, 30))) == []


def test_the_page_reads_its_model_choices_in_one_query_without_a_cursor(client, alice, model):
    UserHistoryFactory(user=alice, model=model)
    client.force_login(alice)

    with CaptureQueriesContext(connection) as captured:
        html = client.get("/me/history/").content.decode()

    choices = [q["sql"] for q in captured.captured_queries if 'FROM "models"' in q["sql"]]
    assert len(choices) == 1
    assert not choices[0].startswith("DECLARE")
    assert '<option value="dana-summarizer">Dana Summarizer</option>' in html
