"""Whole-page caching of public pages for visitors without a session.

Rendering a catalog page costs tens of milliseconds of template work however fast its queries are; a
visitor with no session cookie sees exactly what every other such visitor sees, so that page is kept
for ANONYMOUS_PAGE_CACHE_SECONDS and served from the cache. Signed-in users (any session cookie) always
get a fresh page. No Cache-Control header is added, so a browser never keeps the anonymous page after its
user signs in. A page that used a CSRF token is not kept: the token belongs to one visitor. The colour
theme (core.theme's cookie) is part of the key: the page is drawn with it (<html data-theme>, the toggle).
Pages are kept per address as requested, scheme and host included.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from core.theme import theme_of


def _key(request) -> str:
    # The scheme and host are part of the key: a page may carry absolute addresses built from them (the
    # model page's code snippets), and the site may answer at several names (ALLOWED_HOSTS vets them).
    # htmx asks the catalog's URL for its results alone (HX-Request): that answer is kept apart.
    address = request.build_absolute_uri() + ("#htmx" if request.headers.get("HX-Request") else "")
    page = hashlib.sha256(address.encode()).hexdigest()
    return f"anonymous-page:{theme_of(request)}:{page}"


def cache_for_anonymous(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.ANONYMOUS_PAGE_CACHE_SECONDS
        if not seconds or request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not response.cookies
        ):
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapper
