import hashlib

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory

from catalog.tests.factories import AIModelFactory
from core.page_cache import cache_for_anonymous

PAGES = [
    "/",
    "/models/",
    "/models/?q=summ",
    "/models/dana-summarizer/",
    "/models/dana-summarizer/api/",
    "/models/dana-summarizer/reviews/",
    "/models/dana-summarizer/stats/",
    "/models/suggest/?q=dana",
    "/models/suggest/?q=summ&format=json",
    "/compare/?models=dana-summarizer,dana-other",
    "/collections/",
    "/docs/",
    "/docs/quickstart/",
    "/docs/errors/",
]


@pytest.fixture
def page_cache(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("url", PAGES)
def test_a_visitor_without_a_session_is_served_the_kept_page_without_queries(
    client, model, page_cache, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200

    with django_assert_num_queries(0):
        second = client.get(url)

    assert second.status_code == 200
    assert second.content == first.content
    assert "Cache-Control" not in second  # a browser must not keep it once its user signs in
    assert "Content-Security-Policy" in second


def test_a_new_listing_shows_to_visitors_once_the_kept_page_expires(client, model, page_cache):
    client.get("/models/")
    AIModelFactory(developer=model.developer, display_name="Brand New Model")

    assert b"Brand New Model" not in client.get("/models/").content
    cache.clear()
    assert b"Brand New Model" in client.get("/models/").content


def test_a_signed_in_user_always_gets_a_fresh_page(client, model, alice, page_cache):
    client.get("/models/")
    client.force_login(alice)
    AIModelFactory(developer=model.developer, display_name="Brand New Model")

    assert b"Brand New Model" in client.get("/models/").content
    assert alice.username.encode() in client.get("/models/").content


def test_a_page_that_hands_out_a_csrf_token_is_not_kept(page_cache):
    @cache_for_anonymous
    def view(request):
        return HttpResponse(get_token(request))

    view(RequestFactory().get("/form/"))

    assert cache.get("anonymous-page:" + hashlib.sha256(b"http://testserver/form/").hexdigest()) is None
