from django import template
from django.utils.safestring import SafeString

from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None, heading_level: int = 3) -> SafeString:
    """{{ answer|markdown:4 }}: the text as sanitised HTML, its headings from <h4> down (core.markdown)."""
    return render_markdown(text or "", heading_level=int(heading_level))
