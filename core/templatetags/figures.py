"""How the site writes its figures: ratings, prices, money and large counts, one format each.

Load with {% load figures %} (registered in settings.TEMPLATES' libraries; catalog_extras and credits
re-export the same names). The functions are plain Python too, for views that hand text to Jinja2 fragments.

The rule for amounts of money:

- A rating: one decimal, rounded half up ("4.3"), with its count beside it; "/ 5" only where a bare
  figure stands alone (a stat tile), never beside stars.
- A price per request (`price`): "Free", or dollars with at least two and at most four decimals
  ("$0.01", "$0.0025", "$1.50"): prices are numeric(10,4) and a trailing zero says nothing.
- Credits a person holds or is charged (`money`): four decimals ("$12.5000", "−$0.0100"), always. Balances,
  per-call costs, spending, ledger lines and earnings statements are numeric(12,4) and add up exactly, so
  every place shows the same four decimals and a column of them lines up.
- A revenue summary (`money_total`): two decimals, rounded half up, thousands grouped ("$1,234.57"): the
  totals of a dashboard's tiles and per-model table, where cents say enough.
- A large count in a tight place (`compact`): "1.2k", "2.5M"; in tables and statements counts are written
  whole with thousands grouped (humanize's intcomma).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

MINUS = "\u2212"
ONE_DECIMAL = Decimal("0.1")
CENT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return amount if amount.is_finite() else None


def rating_text(value) -> str:
    """A rating with one decimal, rounded half up like floatformat:1 ("4.3", "0.0")."""
    rating = _decimal(value or 0) or Decimal(0)
    return str(rating.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


@register.filter
def one_decimal(value) -> str:
    """A rating as the site writes it ("4.3"): rating_text as a filter."""
    return rating_text(value)


@register.filter
def rating(value) -> str:
    """The same as one_decimal, by the name templates read best."""
    return rating_text(value)


@register.filter
def price(value) -> str:
    """$0.01, $0.0025 or Free: a price per request without trailing zeros past the cents."""
    amount = _decimal(value)
    if amount is None:
        return ""
    if amount == 0:
        return "Free"
    text = f"{abs(amount):,.4f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"{MINUS if amount < 0 else ''}${whole}.{decimals.ljust(2, '0')}"


@register.filter
def money(value) -> str:
    """$1,234.5000 or −$0.0100: credits (balances, costs, spending, statements) with four decimals."""
    amount = _decimal(value)
    if amount is None:
        return ""
    sign = MINUS if amount < 0 else ""
    return f"{sign}${abs(amount):,.4f}"


@register.filter
def signed_money(value) -> str:
    """+$5.0000 or −$0.0100: a ledger movement, with its direction."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return ("+" if amount > 0 else "") + money(amount)


@register.filter
def money_total(value) -> str:
    """$1,234.57: a revenue summary, two decimals rounded half up."""
    amount = _decimal(value)
    if amount is None:
        return ""
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = MINUS if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


@register.filter
def compact(value) -> str:
    """1234 → 1.2k, 2500000 → 2.5M."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    for limit, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(number) >= limit:
            text = f"{number / limit:.1f}".removesuffix(".0")
            return f"{text}{suffix}"
    return str(number)
