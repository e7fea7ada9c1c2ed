"""The colour theme a visitor chose: Light, Dark or System (the default, following prefers-color-scheme).

The choice is a cookie the server reads, so the first paint already has the right colours: base.html writes
it as <html data-theme="…"> and static/css/base.css draws each theme from its custom properties. The
toggle in the header is a small form posting here; without JavaScript the view sets the cookie and sends
the visitor back, with static/js/site.js it switches at once and posts in the background.

Pages kept for anonymous visitors (core.page_cache) hold the data-theme they were drawn with, so the
theme is part of their cache key: three variants of a page at most, never one visitor's theme served to
another.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

COOKIE = "theme"
THEMES = ("light", "dark", "system")
DEFAULT = "system"
LABELS = {"light": "Light", "dark": "Dark", "system": "System"}
MAX_AGE = 365 * 24 * 60 * 60


def theme_of(request: HttpRequest) -> str:
    """The visitor's theme; anything but a known value (a forged or stale cookie) counts as the default."""
    value = request.COOKIES.get(COOKIE, DEFAULT)
    return value if value in THEMES else DEFAULT


def theme_context(request: HttpRequest) -> dict:
    """The context processor: `theme` for <html data-theme> and the toggle's choices with the current one."""
    current = theme_of(request)
    return {
        "theme": current,
        "theme_choices": [(value, LABELS[value], value == current) for value in THEMES],
    }


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.headers.get("Referer") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


# No CSRF token: a page with a token cannot be kept for anonymous visitors, and this form is on every page.
# A forged post can only change how the site looks to the visitor who sent it, and it changes no data.
@csrf_exempt
@require_POST
def theme_set(request: HttpRequest) -> HttpResponse:
    theme = request.POST.get("theme", "")
    if theme not in THEMES:
        return HttpResponseBadRequest("Choose a theme: light, dark or system.", content_type="text/plain")
    # site.js posts in the background and has already switched the page: nothing to draw.
    if request.headers.get("X-Requested-With") == "fetch":
        response: HttpResponse = HttpResponse(status=204)
    else:
        response = HttpResponseRedirect(_back(request))
    response.set_cookie(
        COOKIE,
        theme,
        max_age=MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
