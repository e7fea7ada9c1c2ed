import uuid

import pytest
from django.urls import reverse

from activity.tests.factories import UserHistoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(alice, model):
    return UserHistoryFactory(
        user=alice,
        model=model,
        prompt="First line\nSecond line <b>not bold</b>",
        response="Answer one\n\nAnswer two <script>alert(1)</script>",
    )


def url(entry_id):
    return reverse("history:detail", args=[entry_id])


def test_visitors_are_sent_to_sign_in(client, entry):
    response = client.get(url(entry.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_owner_sees_the_prompt_as_plain_text_and_the_response_as_sanitised_markdown(client, alice, entry):
    client.force_login(alice)
    response = client.get(url(entry.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert '<div class="history-text">First line\nSecond line &lt;b&gt;not bold&lt;/b&gt;</div>' in html
    assert "<p>Answer one</p>\n<p>Answer two &lt;script&gt;alert(1)&lt;/script&gt;</p>" in html
    assert "<script>alert(1)" not in html
    assert 'href="/models/dana-summarizer/"' in html


def test_the_owner_gets_a_labelled_rating_form(client, alice, entry):
    client.force_login(alice)
    html = client.get(url(entry.pk)).content.decode()
    assert f'action="{reverse("history:rate", args=[entry.pk])}"' in html
    assert "<legend>Your rating</legend>" in html
    assert html.count('type="radio" name="rating"') == 5


def test_a_pending_user_sees_their_entry_without_the_rating_form(client, pat, model):
    own = UserHistoryFactory(user=pat, model=model)
    client.force_login(pat)
    html = client.get(url(own.pk)).content.decode()
    assert "Confirm your email address to rate answers" in html
    assert 'name="rating"' not in html


@pytest.mark.parametrize("persona", ["bob", "pat", "staff"])
def test_anyone_else_gets_a_404(client, entry, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(entry.pk)).status_code == 404


def test_an_unknown_id_is_a_404(client, alice):
    client.force_login(alice)
    assert client.get(url(uuid.uuid4())).status_code == 404
