from datetime import timedelta

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def support_link() -> SafeString:
    """A mailto link to settings.SUPPORT_EMAIL, for every "contact support" text. A tag rather than the
    context processor's `support_email` alone, so pages drawn without a request (500, 503) have it too."""
    return format_html('<a href="mailto:{0}">{0}</a>', settings.SUPPORT_EMAIL)


@register.simple_tag
def support_email() -> str:
    """settings.SUPPORT_EMAIL as text (plain-text mails)."""
    return settings.SUPPORT_EMAIL


@register.filter
def duration_words(value: timedelta | None) -> str:
    """15 minutes, 1 hour, 2 hours 30 minutes: a lockout period as people say it."""
    if not isinstance(value, timedelta):
        return ""
    minutes = max(int(value.total_seconds() // 60), 1)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
