import pytest
from django.urls import reverse

from accounts.models import DeveloperStatus, UserStatus
from accounts.tests.factories import DeveloperFactory
from catalog.models import ModelStatus
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db


def url(username):
    return reverse("catalog:developer_profile", args=[username])


def test_it_shows_the_public_profile_with_one_h1(client, dana):
    dana.company_name = "Dana Studio"
    dana.website_url = "https://dana.example.com"
    dana.github_profile = "https://github.com/dana"
    dana.expertise_areas = ["nlp", "speech"]
    dana.years_experience = 7
    dana.save()

    response = client.get(url("dana"))
    body = response.content.decode()

    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert "<h1>Dana Studio</h1>" in body
    assert 'href="https://dana.example.com"' in body
    assert 'href="https://github.com/dana"' in body
    assert "speech" in body
    assert "7 years" in body
    assert dana.created_at.strftime("%B %Y") in body


def test_it_lists_only_the_developers_public_models(client, dana, eve):
    AIModelFactory(developer=dana, api_name="shown")
    AIModelFactory(developer=dana, api_name="private-one", is_public=False)
    AIModelFactory(developer=dana, api_name="retired", status=ModelStatus.DEPRECATED)
    AIModelFactory(developer=dana, api_name="waiting", status=ModelStatus.UNDER_REVIEW)
    AIModelFactory(developer=eve, api_name="not-hers")

    response = client.get(url("dana"))

    assert [m.api_name for m in response.context["models"]] == ["shown"]
    assert response.context["totals"]["count"] == 1


def test_it_averages_ratings_over_all_reviews_of_the_developers_models(client, dana):
    first = AIModelFactory(developer=dana)
    second = AIModelFactory(developer=dana)
    AIModelFactory(developer=dana)
    ModelReviewFactory(model=first, rating=5)
    ModelReviewFactory(model=first, rating=4)
    ModelReviewFactory(model=second, rating=3)

    totals = client.get(url("dana")).context["totals"]

    assert totals["ratings"] == 3
    assert totals["average_rating"] == 4


@pytest.mark.parametrize(
    "status", [DeveloperStatus.PENDING_APPROVAL, DeveloperStatus.SUSPENDED, DeveloperStatus.INACTIVE]
)
def test_it_answers_404_for_a_developer_who_is_not_active(client, status):
    DeveloperFactory(username="sleepy", status=status)
    assert client.get(url("sleepy")).status_code == 404


def test_it_answers_404_when_the_developers_account_is_suspended(client, dana):
    dana.user.status = UserStatus.SUSPENDED
    dana.user.save()
    assert client.get(url("dana")).status_code == 404


def test_it_answers_404_for_an_unknown_developer(client, db):
    assert client.get(url("nobody")).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "pat", "staff"])
def test_it_looks_the_same_to_signed_in_visitors(client, request, dana, persona):
    AIModelFactory(developer=dana, api_name="shown")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url("dana"))
    assert response.status_code == 200
    assert 'href="/models/shown/"' in response.content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_it_runs_a_fixed_number_of_queries(client, alice, dana, rows, django_assert_max_num_queries):
    AIModelFactory.create_batch(rows, developer=dana)
    client.force_login(alice)
    with django_assert_max_num_queries(7):
        response = client.get(url("dana"))
    assert len(response.context["models"]) == min(rows, 24)


def test_a_username_with_a_nul_character_is_a_404_not_a_server_error(client, dana):
    assert client.get("/developers/da%00na/").status_code == 404
