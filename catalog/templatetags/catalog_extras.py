"""Template helpers for the catalog and reviews: star ratings and links that keep the query string."""

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalog import cards
from catalog.kinds import kinds_label
from core.templatetags.figures import compact, one_decimal, price, rating_text
from core.templating import render_fragment

register = template.Library()
# The site's formats live in core (core/templatetags/figures.py); the catalog's templates load them from
# here by the same names.
register.filter("one_decimal", one_decimal)
register.filter("price", price)
register.filter("compact", compact)

STAR_SHAPES = ("full", "half", "empty")


@lru_cache(maxsize=16)
def _star_shapes(halves: int) -> tuple[str, ...]:
    return tuple(
        "full" if halves >= star * 2 else "half" if halves == star * 2 - 1 else "empty"
        for star in range(1, 6)
    )


def stars_context(value, count=None, size="") -> dict:
    """What catalog/_stars.html shows for a rating from 0 to 5 (halves rounded) and its count of ratings."""
    try:
        rating = Decimal(str(value or 0))
    except InvalidOperation:
        rating = Decimal(0)
    rating = min(max(rating, Decimal(0)), Decimal(5))
    halves = int((rating * 2).quantize(Decimal(1)))
    label = f"Rated {rating_text(rating)} out of 5"
    if count is not None:
        label += f" from {count} rating{'' if count == 1 else 's'}"
    return {"shapes": _star_shapes(halves), "label": label, "size": size}


@register.simple_tag
def stars(value, count=None, size=""):
    """Five stars for a rating, with a text equivalent for screen readers (catalog/_stars.html).

    Drawn by Jinja2: a model page's reviews and a page of cards draw dozens."""
    return render_fragment("catalog/_stars.html", stars_context(value, count, size))


@register.simple_tag
def model_cards(models, heading_level=3):
    """A grid's model cards (includes/model_card.html for each), kept rendered: see catalog.cards."""
    return cards.model_cards(models, heading_level)


@register.simple_tag
def model_rows(models):
    """The compact list's rows (includes/model_row.html for each), kept rendered like cards."""
    return cards.model_cards(models, template_name=cards.ROW_TEMPLATE)


@register.simple_tag
def unshown(models, *shown, limit=None):
    """`models` without those already in `shown` (lists of models shown higher on the page), at most
    `limit`: the home page's sections never repeat a model. No query."""
    seen = {model.pk for group in shown for model in group}
    kept = [model for model in models if model.pk not in seen]
    return kept[:limit] if limit else kept


@register.simple_tag
def rating_summary(value, count):
    """A rating as cards and rows show it: "★ 4.3 (12)", read out as "Rated 4.3 out of 5 from 12
    ratings"; "No ratings yet" without any."""
    if not count:
        return mark_safe('<span class="muted">No ratings yet</span>')
    text = rating_text(value)
    words = f"Rated {text} out of 5 from {count} rating{'' if count == 1 else 's'}"
    return format_html(
        '<span class="rating-inline" aria-hidden="true"><span class="star-mark">★</span> '
        '<span class="meta-figure">{}</span> <span class="muted">({})</span></span>'
        '<span class="visually-hidden">{}</span>',
        text,
        count,
        words,
    )


@register.simple_tag
def price_per_call(value) -> str:
    """A price as cards and rows show it: "$0.002 / call", or "Free"."""
    text = price(value)
    return text if text in ("", "Free") else f"{text} / call"


@register.simple_tag(takes_context=True)
def query_with(context, *args, **changes):
    """The current query string with some parameters replaced ("?a=1&page=2").

    Pass pairs of name and value positionally when the name is a variable ({% query_with param 2 %}),
    or as keywords ({% query_with sort="name" page=None %}); None removes a parameter, and no empty
    value is ever kept (no "?q=&tag=").
    """
    request = context.get("request")
    # Lists of the request's values by name, in their order; replaced, never changed in place. Unlike
    # QueryDict.copy() (a deep copy) this costs next to nothing: facets and sort links call it ~20 times.
    query = dict(request.GET.lists()) if request is not None else {}
    pairs = list(zip(args[::2], args[1::2], strict=False)) + list(changes.items())
    for name, value in pairs:
        if value is None or value == "":
            query.pop(name, None)
        else:
            query[name] = [str(value)]
    encoded = urlencode(
        [(name, value) for name, values in query.items() for value in values if value.strip()]
    )
    return f"?{encoded}" if encoded else "?"


@register.filter
def kinds(value) -> str:
    """What a model takes or gives (model.takes, model.gives) in words: "text and images"."""
    return kinds_label(tuple(value)) if value else ""


@register.filter
def category_label(value: str) -> str:
    from catalog.models import Category

    return dict(Category.choices).get(value, value)


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current one, with Paginator.ELLIPSIS where pages are skipped."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1))
