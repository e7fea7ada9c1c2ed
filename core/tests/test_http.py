"""core.http: the "next" address guard, CSV cells and downloads, and URLs cut around their slug."""

from decimal import Decimal

import pytest
from django.urls import reverse

import core.http
from core.http import around_slug, csv_cell, csv_download, safe_next_url

FALLBACK = "/fallback/"


# safe_next_url -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/me/history/?page=2", "/models/dana-summarizer/#reviews"])
def test_a_path_on_this_site_is_followed(rf, target):
    assert safe_next_url(rf.get("/", {"next": target}), FALLBACK) == target
    assert safe_next_url(rf.post("/", {"next": target}), FALLBACK) == target


def test_the_posted_next_wins_over_the_one_in_the_query_string(rf):
    request = rf.post("/?next=/from-the-query/", {"next": "/from-the-form/"})

    assert safe_next_url(request, FALLBACK) == "/from-the-form/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        " //evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
    ],
)
def test_another_host_or_scheme_gets_the_fallback(rf, target):
    assert safe_next_url(rf.get("/", {"next": target}), FALLBACK) == FALLBACK
    assert safe_next_url(rf.post("/", {"next": target}), FALLBACK) == FALLBACK


def test_a_full_url_of_this_host_is_followed(rf):
    assert safe_next_url(rf.get("/", {"next": "http://testserver/me/"}), FALLBACK) == "http://testserver/me/"


def test_over_https_a_plain_http_address_of_this_host_gets_the_fallback(rf):
    secure = {"secure": True}

    assert safe_next_url(rf.get("/", {"next": "http://testserver/me/"}, **secure), FALLBACK) == FALLBACK
    assert safe_next_url(rf.get("/", {"next": "https://testserver/me/"}, **secure), FALLBACK) == (
        "https://testserver/me/"
    )


@pytest.mark.parametrize("query", [{}, {"next": ""}])
def test_no_next_gets_the_fallback(rf, query):
    assert safe_next_url(rf.get("/", query), FALLBACK) == FALLBACK


# csv_cell ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "formula", ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=", "-"]
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(formula):
    assert csv_cell(formula) == "'" + formula


@pytest.mark.parametrize(
    "value, text",
    [
        ("Summarise this. Then that.", "Summarise this. Then that."),
        ("a = b + c", "a = b + c"),
        (" =1", " =1"),
        ("'quoted", "'quoted"),
        ("", ""),
        (None, ""),
        (42, "42"),
        (Decimal("0.0250"), "0.0250"),
    ],
)
def test_other_values_are_written_as_they_are(value, text):
    assert csv_cell(value) == text


# csv_download ------------------------------------------------------------------------------------------


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_it_streams_a_csv_attachment_that_no_cache_keeps():
    response = csv_download([("model", "cost")], filename="usage-2026-05.csv")

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="usage-2026-05.csv"'
    assert response["Cache-Control"] == "no-store"


def test_the_header_comes_first_and_every_cell_goes_through_csv_cell():
    rows = [
        ("prompt", "response", "cost"),
        ("=1+1", 'He said "hi", then left.\nThe end.', Decimal("0.0200")),
        ("@SUM(A1)", None, Decimal("0")),
    ]

    assert body(csv_download(rows, filename="history.csv")) == (
        'prompt,response,cost\r\n\'=1+1,"He said ""hi"", then left.\nThe end.",0.0200\r\n\'@SUM(A1),,0\r\n'
    )


def test_no_row_is_read_before_the_response_is():
    read = []

    def rows():
        for number in range(3):
            read.append(number)
            yield (number,)

    response = csv_download(rows(), filename="rows.csv")
    assert read == []

    chunks = iter(response.streaming_content)
    assert next(chunks) == b"0\r\n"
    assert read == [0]


# around_slug -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewname", ["catalog:model_detail", "dashboard:model_detail"])
@pytest.mark.parametrize("slug", ["dana-summarizer", "a", "model-2"])
def test_the_two_halves_around_a_slug_make_the_url_reverse_gives(viewname, slug):
    before, after = around_slug(viewname)

    assert before + slug + after == reverse(viewname, args=[slug])


def test_each_url_is_reversed_once_per_process(monkeypatch):
    reversed_names = []

    def counting_reverse(viewname, *args, **kwargs):
        reversed_names.append(viewname)
        return reverse(viewname, *args, **kwargs)

    monkeypatch.setattr(core.http, "reverse", counting_reverse)
    around_slug.cache_clear()
    try:
        for _ in range(3):
            around_slug("catalog:model_detail")
            around_slug("dashboard:model_detail")
    finally:
        around_slug.cache_clear()  # nothing cached through the counting reverse outlives the test

    assert reversed_names == ["catalog:model_detail", "dashboard:model_detail"]
