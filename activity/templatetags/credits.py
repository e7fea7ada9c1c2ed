"""Credits as the site shows them: dollars with four decimals, the precision of a price.

The formats live in core (core/templatetags/figures.py: `money`, `signed_money`); these names stay for the
templates that load them from here.
"""

from django import template

from core.templatetags.figures import money, signed_money

register = template.Library()

format_credits = money
format_signed_credits = signed_money
register.filter("credits", money)
register.filter("signed_credits", signed_money)


@register.filter
def percent(value) -> str:
    """A share (0–1) as 42.5 %; a dash when there is nothing to share."""
    if value is None:
        return "–"
    return f"{value * 100:.1f} %"
