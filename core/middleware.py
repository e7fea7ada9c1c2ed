"""Middleware of the site's own."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from core.db import BUSY_RETRY_AFTER, pool_exhausted


class BusyMiddleware:
    """A page that found no free database connection in time answers 503 with Retry-After, not 500: the
    site is busy, not broken. The page is drawn without the request (its user, its session), which would
    need the database again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not pool_exhausted(exception):
            return None
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
