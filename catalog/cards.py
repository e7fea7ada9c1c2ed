"""Model cards, kept rendered in the cache under a key made of what changes a card.

A catalog page draws up to 24 cards, and the template engine spends about half a millisecond on each:
most of a signed-in catalog page's time (visitors without a session get the whole page from the cache,
core.page_cache). Every grid of cards, on the home page, the catalog and a developer's profile, is
drawn by model_cards() ({% model_cards %}), and a card's key holds:

- the model's id and its updated_at, which the models_set_updated_at trigger sets on every update of the
  row, whoever writes it (the ORM, SQL, the admin), the counter triggers' updates included;
- the counters the card shows (total_requests, average_rating, rating_count, like_count) although updated_at follows
  them, because it does not always: updated_at is the start of the writing transaction (now()), so two
  writes in one transaction share it, and a bulk load writes counters with the triggers off
  (bench/seed_scale.py). They are on the row already, so this costs nothing;
- the developer's username, which lives on another row;
- the page's heading level, and the calls of the last days that the home page's trending cards show;
- settings.CARD_CACHE_VERSION, bumped by a deploy that changes how cards look (the card template, the
  catalog's template tags, the model's properties); with DEBUG on also the card template's modification
  time, so that an edit shows at the next request.

Nothing has to be invalidated: a changed model gets a new key, and unused keys age out of the "cards" cache
(settings.CACHES), whose keys visitors cannot choose. One get_many per grid, so a shared cache (Redis)
costs one round trip per page, not one per card.
"""

import hashlib
import os

from django.conf import settings
from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

CARD_TEMPLATE = "includes/model_card.html"
# The catalog's compact list (?view=list) draws each model as a table row, kept the same way.
ROW_TEMPLATE = "includes/model_row.html"
CARD_CACHE_SECONDS = 24 * 60 * 60
KEY_PREFIX = "model-card:"

# The fields of a model that a card and its key read: lists of cards load only these (.only(*CARD_FIELDS)),
# not the search vector, keys and URLs that make a model row a kilobyte wide. A field the card template
# reads and this list lacks costs a query per card (test_card_cache renders a card with none).
CARD_FIELDS = (
    "model_id", "developer_id", "api_name", "display_name", "description", "category", "tags",
    "average_rating", "rating_count", "total_requests", "price_per_request", "updated_at", "like_count",
    "status",
)  # fmt: skip


def _template(name: str = CARD_TEMPLATE):
    """The card template (through the cached loader) and the version of the cards it draws."""
    template = get_template(name)
    version = settings.CARD_CACHE_VERSION
    if settings.DEBUG:
        version = f"{version}-{os.stat(template.origin.name).st_mtime_ns}"
    return template, version


def _key(model, heading_level: int, version: str) -> str:
    changes = (
        model.updated_at.isoformat(),
        model.total_requests,
        str(model.average_rating),
        model.rating_count,
        model.like_count,
        model.developer.username,
        heading_level,
        getattr(model, "recent_successes", None),
    )
    digest = hashlib.blake2b(repr(changes).encode(), digest_size=12).hexdigest()
    return f"{KEY_PREFIX}{version}:{model.pk}:{digest}"


def card_key(model, heading_level: int = 3) -> str:
    return _key(model, heading_level, _template()[1])


def model_cards(models, heading_level: int = 3, template_name: str = CARD_TEMPLATE) -> SafeString:
    """The cards of `models`, in order, as one piece of HTML (see model_card_list)."""
    return mark_safe("".join(model_card_list(models, heading_level, template_name)))  # noqa: S308


def model_card_list(models, heading_level: int = 3, template_name: str = CARD_TEMPLATE) -> list[SafeString]:
    """The cards of `models`, in order, one each: from the cache where rendered before, else rendered
    and kept. The template and its version are looked up once for the grid. With ROW_TEMPLATE, the
    list's rows."""
    template, version = _template(template_name)
    if template_name != CARD_TEMPLATE:
        version = f"{version}-{template_name}"
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
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 - each card is template output
