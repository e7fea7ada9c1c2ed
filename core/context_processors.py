"""Values every page's template may show."""

from django.conf import settings
from django.http import HttpRequest


def support(request: HttpRequest) -> dict[str, str]:
    """The address every "contact support" text names (settings.SUPPORT_EMAIL), as `support_email`."""
    return {"support_email": settings.SUPPORT_EMAIL}
