"""The model forms' Preview of the model card: without JavaScript the form comes back with everything typed
and the card drawn below the description, nothing saved; with htmx only the card is fetched."""

import re

import pytest
from django.urls import reverse

from catalog.models import AIModel
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("dashboard:model_create")
PREVIEW_URL = reverse("dashboard:description_preview")
CARD = "## Usage\n\nSend **one** text.\n\n- fast\n- cheap\n\n<script>alert(1)</script>"
TYPED = {
    "model_name": "tiny-llm-8b",
    "display_name": "Tiny LLM",
    "api_name": "tiny-llm",
    "description": CARD,
    "category": "text_generation",
    "tags": "small, fast",
    "endpoint_url": "https://upstream.example.com/v1/generate",
    "price_per_request": "0.0025",
    "input_kinds": ["text", "image"],
    "is_public": "on",
    "preview": "1",
}


def test_the_form_offers_a_preview_button_that_works_with_and_without_htmx(signed_in):
    html = signed_in.get(CREATE_URL).content.decode()

    assert 'name="preview"' in html and "Preview the model card" in html
    assert f'hx-post="{PREVIEW_URL}"' in html and 'hx-target="#description-preview"' in html
    assert '<div id="description-preview" class="md-preview-region" aria-live="polite"></div>' in html


def test_without_javascript_preview_shows_the_card_and_keeps_everything_typed(signed_in):
    response = signed_in.post(CREATE_URL, TYPED)
    html = response.content.decode()

    assert response.status_code == 200
    assert not AIModel.objects.filter(api_name="tiny-llm").exists()
    assert "Preview of the model card" in html
    assert "<h3>Usage</h3>" in html and "<strong>one</strong>" in html and "<li>fast</li>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    for value in ("tiny-llm-8b", "Tiny LLM", "tiny-llm", "small, fast", "0.0025"):
        assert f'value="{value}"' in html, value
    assert "## Usage\n\nSend **one** text." in html  # the textarea keeps the Markdown as typed
    assert 'value="image" id="id_input_kinds_1" checked' in html
    assert re.search(r'<input type="checkbox" name="is_public"[^>]* checked>', html)
    assert 'class="errorlist' not in html  # an unfinished form is previewed, not judged


def test_a_preview_of_an_unfinished_form_flags_nothing_and_saves_nothing(signed_in):
    response = signed_in.post(CREATE_URL, {"description": "Just *words*.", "preview": "1"})

    assert "<em>words</em>" in response.content.decode()
    assert 'class="errorlist' not in response.content.decode()
    assert AIModel.objects.count() == 0


def test_preview_on_the_edit_form_changes_nothing_until_saved(signed_in, model):
    url = reverse("dashboard:model_edit", args=[model.api_name])
    data = {**TYPED, "display_name": "Renamed"}
    data.pop("api_name")
    html = signed_in.post(url, data).content.decode()

    assert "<h3>Usage</h3>" in html and 'value="Renamed"' in html
    model.refresh_from_db()
    assert model.display_name == "Dana Summarizer" and model.description != CARD


def test_the_htmx_endpoint_answers_the_card_alone(signed_in):
    response = signed_in.post(PREVIEW_URL, {"description": CARD}, headers={"hx-request": "true"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1" not in html and "<html" not in html
    assert '<h2 id="description-preview-title"' in html and "<h3>Usage</h3>" in html
    assert "<script>alert" not in html


def test_the_htmx_endpoint_says_when_there_is_nothing_to_preview(signed_in):
    assert "the description is empty" in signed_in.post(PREVIEW_URL, {"description": ""}).content.decode()


def test_the_htmx_endpoint_is_for_active_developers_only(client, alice, eve):
    AIModelFactory(developer=eve)
    assert client.post(PREVIEW_URL, {"description": "x"}).status_code in (302, 403, 404)
    client.force_login(alice)
    assert client.post(PREVIEW_URL, {"description": "x"}).status_code in (403, 404)


def test_the_htmx_endpoint_refuses_get(signed_in):
    assert signed_in.get(PREVIEW_URL).status_code == 405
