"""Response helpers shared by every app: safe "next" addresses and streamed CSV downloads."""

import csv
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_next_url(request: HttpRequest, fallback: str) -> str:
    """The "next" address of the request when it stays on this site (and scheme), else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def csv_cell(value) -> str:
    """The value as CSV text, quoted so that a spreadsheet shows it rather than runs it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file whose write() hands the line back, so csv.writer can feed a streamed response."""

    def write(self, value: str) -> str:
        return value


def csv_download(rows: Iterable[Sequence], *, filename: str) -> StreamingHttpResponse:
    """Stream `rows` (the header first) as a CSV attachment that no cache keeps."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([csv_cell(value) for value in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@lru_cache(maxsize=32)
def around_slug(viewname: str) -> tuple[str, str]:
    """The URL of `viewname` (one slug argument) cut where the slug goes, reversed once per process.

    A slug needs no quoting in a path, so before + slug + after is what reverse() would give; pages that
    link dozens of models build their links this way instead of reversing each.
    """
    before, after = reverse(viewname, args=["slug"]).rsplit("slug", 1)
    return before, after
