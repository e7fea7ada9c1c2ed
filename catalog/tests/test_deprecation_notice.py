"""A deprecated model in the catalog: the notice on its page before and after the sunset, the badge on its
card, and its leaving the listings once the sunset has passed (its page stays)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def echo_two(eve):
    return AIModelFactory(developer=eve, api_name="echo-2", display_name="Echo 2")


@pytest.fixture
def echo(dana, echo_two):
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        display_name="Echo",
        status=ModelStatus.DEPRECATED,
        sunset_at=timezone.now() + timedelta(days=10, hours=1),
        replacement=echo_two,
        deprecation_note="Echo 2 answers faster.",
    )


def test_the_page_says_when_it_stops_and_links_the_replacement(client, echo):
    html = client.get("/models/echo/").content.decode()

    assert "Deprecated</strong> — stops answering on" in html
    assert "at 00:00 UTC (in 10 days)" in html or "at 00:00 UTC (in 11 days)" in html
    assert '<a href="/models/echo-2/">Echo 2</a>' in html
    assert "Echo 2 answers faster." in html
    assert (
        "snippet-curl" in client.get("/models/echo/api/").content.decode()
    )  # it still answers: examples stay


def test_after_the_sunset_the_page_says_it_no_longer_answers(client, echo):
    AIModel.objects.filter(pk=echo.pk).update(sunset_at=timezone.now() - timedelta(minutes=1))

    response = client.get("/models/echo/")
    html = response.content.decode()

    assert response.status_code == 200
    assert 'This model no longer answers</strong>; use <a href="/models/echo-2/">Echo 2</a>' in html
    assert "snippet-curl" not in client.get("/models/echo/api/").content.decode()


def test_its_card_carries_a_badge_until_the_sunset_then_it_leaves_the_listings(client, echo, echo_two):
    catalog = client.get("/models/").content.decode()
    found = client.get("/models/?q=echo").content.decode()
    assert "/models/echo/" in catalog and "/models/echo/" in found
    assert catalog.count('<span class="badge badge-danger">Deprecated</span>') == 1

    AIModel.objects.filter(pk=echo.pk).update(sunset_at=timezone.now() - timedelta(minutes=1))

    assert "/models/echo/" not in client.get("/models/").content.decode()
    assert "/models/echo/" not in client.get("/models/?q=echo").content.decode()
    assert "/models/echo/" not in client.get("/developers/dana/").content.decode()
    assert "/models/echo-2/" in client.get("/models/?q=echo").content.decode()


def test_the_playground_refuses_after_the_sunset_with_the_gateways_message(alice_client, echo):
    AIModel.objects.filter(pk=echo.pk).update(sunset_at=timezone.now() - timedelta(minutes=1))

    html = alice_client.get("/models/echo/playground/").content.decode()

    assert "The model &#x27;echo&#x27; is deprecated and no longer answers. Use echo-2 instead." in html


def test_a_playground_call_after_the_sunset_is_refused_with_the_same_message(alice_client, echo):
    AIModel.objects.filter(pk=echo.pk).update(sunset_at=timezone.now() - timedelta(minutes=1))

    response = alice_client.post("/playground/echo/", {"prompt": "hi"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()

    assert "is deprecated and no longer answers. Use echo-2 instead." in html
