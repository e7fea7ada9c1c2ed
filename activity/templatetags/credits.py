"""Credits as the site shows them: dollars with four decimals, the precision of a price."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()

MINUS = "\u2212"


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def format_credits(value) -> str:
    """$1,234.5000 or $0.0100: four decimals, as prices and history costs are kept."""
    amount = _amount(value)
    if amount is None:
        return ""
    sign = MINUS if amount < 0 else ""
    return f"{sign}${abs(amount):,.4f}"


def format_signed_credits(value) -> str:
    """+$5.0000 or −$0.0100: a ledger movement, with its direction."""
    amount = _amount(value)
    if amount is None:
        return ""
    return ("+" if amount > 0 else "") + format_credits(amount)


@register.filter
def credits(value) -> str:
    return format_credits(value)


@register.filter
def signed_credits(value) -> str:
    return format_signed_credits(value)


@register.filter
def percent(value) -> str:
    """A share (0–1) as 42.5 %; a dash when there is nothing to share."""
    if value is None:
        return "–"
    return f"{value * 100:.1f} %"
