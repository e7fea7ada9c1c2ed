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
