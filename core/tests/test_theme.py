"""The colour theme switch (core/theme.py): a cookie the server reads, a form that works without JavaScript,
and pages kept for anonymous visitors that never mix two visitors' themes."""

import re

import pytest
from django.core.cache import cache

from core.theme import COOKIE


def html_theme(response) -> str:
    return re.search(r'<html lang="en" data-theme="([a-z]+)"', response.content.decode()).group(1)


def pressed(response) -> list[str]:
    return re.findall(r'value="([a-z]+)" class="theme-option" aria-pressed="true"', response.content.decode())


def test_a_first_visit_follows_the_system(client, db):
    response = client.get("/models/")

    assert html_theme(response) == "system"
    assert pressed(response) == ["system"]
    assert '<meta name="color-scheme" content="light dark">' in response.content.decode()


def test_the_form_sets_the_cookie_and_goes_back(client, db):
    response = client.post("/theme/", {"theme": "dark", "next": "/models/?q=summ"})

    assert response.status_code == 302
    assert response["Location"] == "/models/?q=summ"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "dark"
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 30 * 86400

    page = client.get("/models/")
    assert html_theme(page) == "dark"
    assert pressed(page) == ["dark"]
    assert '<meta name="color-scheme" content="dark">' in page.content.decode()


@pytest.mark.parametrize(
    "target", ["https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)"]
)
def test_it_never_sends_the_visitor_off_the_site(client, db, target):
    response = client.post("/theme/", {"theme": "light", "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_without_next_it_goes_back_to_the_referring_page_of_this_site(client, db):
    response = client.post("/theme/", {"theme": "light"}, headers={"Referer": "http://testserver/me/"})
    assert response["Location"] == "http://testserver/me/"


def test_javascript_gets_no_page_back(client, db):
    response = client.post("/theme/", {"theme": "light"}, headers={"X-Requested-With": "fetch"})

    assert response.status_code == 204
    assert response.cookies[COOKIE].value == "light"


def test_it_refuses_an_unknown_theme_and_a_get(client, db):
    assert client.post("/theme/", {"theme": "neon"}).status_code == 400
    assert COOKIE not in client.cookies
    assert client.get("/theme/").status_code == 405


def test_a_forged_cookie_counts_as_system(client, db):
    client.cookies[COOKIE] = '"><script>'
    assert html_theme(client.get("/models/")) == "system"


def test_the_switch_works_without_a_csrf_token_so_kept_pages_stay_kept(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/theme/", {"theme": "dark"}).status_code == 302
    page = strict.get("/")
    assert "csrfmiddlewaretoken" not in page.content.decode()


@pytest.fixture
def page_cache(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("path", ["/", "/models/", "/models/dana-summarizer/"])
def test_the_anonymous_page_cache_keeps_one_page_per_theme(
    client, model, page_cache, path, django_assert_num_queries
):
    for theme in ("system", "dark", "light", "system"):
        if theme == "system":
            client.cookies.pop(COOKIE, None)
        else:
            client.cookies[COOKIE] = theme
        drawn = client.get(path)
        with django_assert_num_queries(0):
            kept = client.get(path)

        assert html_theme(drawn) == html_theme(kept) == theme
        assert pressed(kept) == [theme]
