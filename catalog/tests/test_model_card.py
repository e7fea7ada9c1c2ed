"""The model card and the star rating: the markup catalog pages repeat dozens of times."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.text import Truncator

from catalog.models import CARD_SUMMARY_CHARS, AIModel, Category
from catalog.templatetags.catalog_extras import stars
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load catalog_extras %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("value", "count", "size", "shapes", "label"),
    [
        (Decimal("4.3"), 8, "small", "full full full full half", "Rated 4.3 out of 5 from 8 ratings"),
        (Decimal("4.25"), 2, "", "full full full full empty", "Rated 4.3 out of 5 from 2 ratings"),
        (Decimal("4.24"), 1, "", "full full full full empty", "Rated 4.2 out of 5 from 1 rating"),
        (Decimal("0"), 0, "", "empty empty empty empty empty", "Rated 0.0 out of 5 from 0 ratings"),
        (5, None, "", "full full full full full", "Rated 5.0 out of 5"),
        (Decimal("9"), None, "", "full full full full full", "Rated 5.0 out of 5"),
        ("not a number", None, "", "empty empty empty empty empty", "Rated 0.0 out of 5"),
        (Decimal("1.74"), None, "", "full half empty empty empty", "Rated 1.7 out of 5"),
    ],
)
def test_stars_show_halves_and_say_the_rating_in_words(value, count, size, shapes, label):
    html = stars(value, count, size)

    size_class = f" stars-{size}" if size else ""
    expected_spans = "".join(
        f'<span class="star star-{shape}" aria-hidden="true">★</span>' for shape in shapes.split()
    )
    assert html == f'<span class="stars{size_class}" role="img" aria-label="{label}">{expected_spans}</span>'


def test_the_star_size_is_escaped():
    assert '"><script>' not in render("{% stars 3 None size %}", size='"><script>')


@pytest.mark.parametrize("value", ["4.25", "4.35", "0.05", "3", "2.449"])
def test_one_decimal_rounds_like_floatformat(value):
    assert render("{{ v|one_decimal }}", v=Decimal(value)) == render(
        "{{ v|floatformat:1 }}", v=Decimal(value)
    )


@pytest.mark.parametrize(
    "description",
    [
        "",
        "short",
        "x" * CARD_SUMMARY_CHARS,
        "y" * (CARD_SUMMARY_CHARS + 1),
        "Summarises long legal documents into plain language. " * 5,
        "Übersetzt juristische Texte ins Deutsche, präzise und schnell. " * 4,
        "e\u0301" * (CARD_SUMMARY_CHARS + 20),
    ],
)
def test_the_card_summary_cuts_like_truncatechars(description):
    model = AIModel(description=description)

    assert model.summary == Truncator(description).chars(CARD_SUMMARY_CHARS)


def test_the_card_links_the_model_page_and_names_its_category(client, dana):
    model = AIModelFactory(developer=dana, api_name="legal-eagle", category=Category.TRANSLATION)

    assert model.get_absolute_url() == "/models/legal-eagle/"
    assert model.category_label == "Translation"
    assert model.initial == model.display_name[0].upper()
    body = client.get("/models/").content.decode()
    assert '<a class="card-link" href="/models/legal-eagle/">' in body
    assert '<span class="badge badge-category">Translation</span>' in body


def test_the_card_summary_is_the_descriptions_words_without_markdown():
    model = AIModel(
        description="## Usage\n\nSend **one** article:\n\n- keeps `names`\n- [docs](https://example.com)"
    )

    assert model.summary == "Usage Send one article: keeps names docs"
