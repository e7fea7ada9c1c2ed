"""The environment of the site's second template engine, Jinja2 (settings.TEMPLATES, templates/jinja2/).

Django's engine draws the pages; Jinja2 draws the fragments a page repeats dozens of times (table rows,
stars, form widgets), because it compiles a template to Python and renders such a fragment several times
faster (bench/fragments.py measures both). Its output must not depend on which engine drew it: a value is
escaped by Django's rules (html.escape: &#x27; and &quot;, where markupsafe writes &#39; and &#34;), and a
value marked safe (Django's SafeString, such as a rendered partial, or a Markup) is written as it is.
"""

from html import escape

from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment


def escape_as_django(value) -> str:
    """What {{ value }} writes in a Django template (conditional_escape), but not localised: fragments are
    given their numbers and dates as text."""
    if type(value) is str:
        return escape(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def environment(**options) -> Environment:
    """Every {{ value }} is escaped by escape_as_django, Jinja2's `finalize`. Jinja2's own autoescape is off
    because it would wrap and escape each value a second time (markupsafe's Markup per value): with it a
    fragment took five times as long. The one difference for template authors: the output of a macro or of
    a {% set %} block is plain text, which {{ }} escapes again, so these templates use neither."""
    options["autoescape"] = False
    return Environment(finalize=escape_as_django, **options)


def render_fragment(template_name: str, context: dict) -> SafeString:
    """A template of the Jinja2 engine, rendered for a Django template to show as it is: every value in it
    has been escaped already (escape_as_django)."""
    return mark_safe(engines["jinja2"].get_template(template_name).render(context))  # noqa: S308
