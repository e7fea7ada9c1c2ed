"""Model cards, kept rendered in the cache under a digest of everything they show.

A catalog page draws up to 24 cards, and the template engine spends about half a millisecond on each:
most of a signed-in catalog page's time (visitors without a session get the whole page from the cache,
catalog.views.caching). A card is a pure function of a few fields of its model, so its key is a digest of
those values and of the code that draws them (the card template, the catalog's template tags and the
model's properties): a card is never stale (a new rating or one more call changes its key), a deploy that
changes how cards look never meets old cards, and nothing has to be invalidated. Unused keys simply age
out of the cache, the "cards" cache (settings.CACHES), whose keys visitors cannot choose.

One get_many per grid, so a shared cache (Redis) costs one round trip per page, not one per card.
"""

import hashlib
from functools import cache as once
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

CARD_TEMPLATE = "includes/model_card.html"
CARD_CACHE_SECONDS = 24 * 60 * 60
KEY_PREFIX = "model-card:"


# Besides the template: the filters and tags it uses, and the model's properties it reads.
CARD_CODE = ("catalog/templatetags/catalog_extras.py", "catalog/models.py", "core/http.py")


def _digest(template) -> str:
    digest = hashlib.blake2b(template.template.source.encode(), digest_size=8)
    for path in CARD_CODE:
        digest.update((Path(settings.BASE_DIR) / path).read_bytes())
    return digest.hexdigest()


@once
def _kept_template():
    template = get_template(CARD_TEMPLATE)
    return template, _digest(template)


def _template():
    """The card template and its version: read once per process, except with DEBUG on, where an edited
    template shows at the next request as every other template does."""
    if settings.DEBUG:
        template = get_template(CARD_TEMPLATE)
        return template, _digest(template)
    return _kept_template()


# The fields a card reads: lists of cards load only these (.only(*CARD_FIELDS)), not the search vector,
# keys and URLs that make a model row a kilobyte wide.
CARD_FIELDS = (
    "model_id", "developer_id", "api_name", "display_name", "description", "category", "tags",
    "average_rating", "rating_count", "total_requests", "price_per_request",
)  # fmt: skip


def shown_values(model, heading_level: int) -> tuple:
    """Every value the card template reads from its model (and the page's heading level)."""
    return (
        model.pk,
        model.api_name,
        model.display_name,
        model.developer.username,
        model.description,
        model.category,
        tuple(model.tags[:3]),
        str(model.average_rating),
        model.rating_count,
        model.total_requests,
        str(model.price_per_request),
        heading_level,
    )


def _key(model, heading_level: int, version: str) -> str:
    digest = hashlib.blake2b(repr(shown_values(model, heading_level)).encode(), digest_size=16).hexdigest()
    return f"{KEY_PREFIX}{version}:{digest}"


def card_key(model, heading_level: int = 3) -> str:
    return _key(model, heading_level, _template()[1])


def model_cards(models, heading_level: int = 3) -> SafeString:
    """The cards of `models`, in order: from the cache where rendered before, else rendered and kept.
    The template and its version are looked up once for the grid (with DEBUG on that reads files)."""
    template, version = _template()
    models = list(models)
    keys = [_key(model, heading_level, version) for model in models]
    cache = caches["cards"]
    found = cache.get_many(keys)
    rendered = {}
    for model, key in zip(models, keys, strict=True):
        if key not in found and key not in rendered:
            rendered[key] = template.render({"model": model, "heading_level": heading_level})
    if rendered:
        cache.set_many(rendered, CARD_CACHE_SECONDS)
    found.update(rendered)
    return mark_safe("".join(found[key] for key in keys))  # noqa: S308 - each card is template output
