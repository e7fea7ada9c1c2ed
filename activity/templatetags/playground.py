from django import template

from activity.views.playground import PANEL_TEMPLATE, panel_context_for_page

register = template.Library()


@register.inclusion_tag(PANEL_TEMPLATE, takes_context=True)
def playground_panel(context, model):
    """The model page's playground: sign-in prompt, verification note, or the form and the last exchange."""
    request = context["request"]
    return {
        **panel_context_for_page(request, model),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
