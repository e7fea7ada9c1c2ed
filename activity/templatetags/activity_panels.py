"""What activity shows on pages other apps own (the profile, the home page, a model's page).

Those apps sit below activity and cannot import it; their templates load this library instead.
"""

from django import template

from activity import selectors

register = template.Library()


@register.simple_tag
def activity_summary(user):
    return selectors.activity_summary(user)


@register.simple_tag
def recent_history(user):
    return selectors.recent_history(user)


@register.simple_tag
def model_usage(model):
    return selectors.model_usage(model)


@register.simple_tag
def trending_models(days, limit):
    return selectors.trending_models(days=days, limit=limit)


@register.simple_tag
def models_usage(models):
    """The public figures of each of `models` over 30 days (selectors.public_stats, forwarded calls
    only), in the same order, each with success_percent beside the 0–1 rate: one query for any number
    of models (the comparison page)."""
    stats = selectors.public_stats([model.pk for model in models])
    figures = [dict(stats[model.pk]) for model in models]
    for entry in figures:
        rate = entry["success_rate_30d"]
        entry["success_percent"] = None if rate is None else round(100 * rate, 1)
    return figures
