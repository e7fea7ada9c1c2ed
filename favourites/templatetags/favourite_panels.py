"""What favourites shows on pages other apps own (the model page, the profile).

Those apps sit below favourites and cannot import it; their templates include favourites' partials,
which load this library.
"""

from django import template

from catalog.cards import model_card_list
from favourites import selectors

register = template.Library()
PROFILE_COLLECTIONS = 10


@register.simple_tag
def user_likes(user, model):
    """Whether the signed-in `user` likes `model` (False for a visitor, without a query)."""
    return selectors.user_likes(user=user, model=model)


@register.simple_tag
def collect_choices(user, model):
    """The user's collections for the model page's "Add to collection" form, each with `has_model`."""
    if not user.is_authenticated:
        return []
    collections = list(selectors.user_collections(user=user))
    holding = selectors.collections_holding(user=user, model=model)
    for collection in collections:
        collection.has_model = collection.pk in holding
    return collections


@register.simple_tag
def profile_collections(user):
    """The user's latest collections for the profile (one query; the likes and the rest are a link away)."""
    return list(selectors.user_collections(user=user)[:PROFILE_COLLECTIONS])


@register.simple_tag
def collection_cards(items):
    """(item, its model's card) for each item of a collection page, the cards kept like every grid's
    (catalog.cards: one cache read for the page)."""
    return list(zip(items, model_card_list([item.model for item in items], 2), strict=True))
