"""The site's one format for ratings, prices, money and counts (core/templatetags/figures.py)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from core.templatetags.figures import (
    compact,
    money,
    money_total,
    one_decimal,
    price,
    rating_text,
    signed_money,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("4.25"), "4.3"),
        (Decimal("4.24"), "4.2"),
        (0, "0.0"),
        (None, "0.0"),
        ("5", "5.0"),
        ("x", "0.0"),
    ],
)
def test_a_rating_has_one_decimal_rounded_half_up(value, text):
    assert rating_text(value) == text
    assert one_decimal(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0"), "Free"),
        (Decimal("0.0020"), "$0.002"),
        (Decimal("0.0100"), "$0.01"),
        (Decimal("0.0025"), "$0.0025"),
        (Decimal("1.5"), "$1.50"),
        (Decimal("1234.5"), "$1,234.50"),
        (None, ""),
        ("nope", ""),
    ],
)
def test_a_price_drops_zeros_past_the_cents(value, text):
    assert price(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12.5"), "$12.5000"),
        (Decimal("0.01"), "$0.0100"),
        (Decimal("-0.01"), "\u2212$0.0100"),
        (Decimal("1234.5"), "$1,234.5000"),
        (0, "$0.0000"),
        (None, ""),
    ],
)
def test_credits_always_show_four_decimals(value, text):
    assert money(value) == text


def test_a_ledger_movement_shows_its_direction():
    assert signed_money(Decimal("5")) == "+$5.0000"
    assert signed_money(Decimal("-0.01")) == "\u2212$0.0100"
    assert signed_money(Decimal("0")) == "$0.0000"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234.565"), "$1,234.57"),
        (Decimal("0.004"), "$0.00"),
        (Decimal("3.75"), "$3.75"),
        (0, "$0.00"),
    ],
)
def test_a_revenue_total_shows_cents_rounded_half_up(value, text):
    assert money_total(value) == text


@pytest.mark.parametrize(("value", "text"), [(999, "999"), (1234, "1.2k"), (2_500_000, "2.5M"), (None, "")])
def test_a_large_count_is_compact(value, text):
    assert compact(value) == text


def test_the_old_libraries_give_the_same_filters():
    html = Template(
        "{% load catalog_extras credits %}{{ p|price }} {{ r|one_decimal }} {{ n|compact }} {{ m|credits }}"
    ).render(Context({"p": Decimal("0.002"), "r": Decimal("4.25"), "n": 1500, "m": Decimal("1")}))
    assert html == "$0.002 4.3 1.5k $1.0000"


def test_no_template_formats_a_rating_or_an_amount_by_hand():
    """Ratings go through one_decimal, prices through price, amounts through money or money_total: no
    floatformat on them and no "$" written before a value."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "emails" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "${{" in line:
                found.append(f"{path.relative_to(TEMPLATES)}:{number}: a dollar sign written by hand")
            for name in ("rating", "price", "cost", "revenue", "balance"):
                if f"{name}|floatformat" in line or f"{name}|default:0|floatformat" in line:
                    found.append(f"{path.relative_to(TEMPLATES)}:{number}: {name} through floatformat")
            if "}}/5" in line:
                found.append(f"{path.relative_to(TEMPLATES)}:{number}: a rating written as n/5, not n / 5")
    assert found == []
