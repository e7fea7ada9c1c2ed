"""The comparison page: two to four catalog models side by side, from the URL alone."""

import pytest
from django.urls import reverse

from activity.tests.factories import ApiUsageLogFactory
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

URL = reverse("catalog:compare")


def page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def three(dana, eve):
    return [
        AIModelFactory(developer=dana, api_name="alpha", display_name="Alpha", price_per_request="0.002"),
        AIModelFactory(developer=eve, api_name="beta", display_name="Beta", price_per_request="0"),
        AIModelFactory(
            developer=eve, api_name="gamma", display_name="Gamma", category="speech_to_text", tags=["asr"]
        ),
    ]


def test_three_models_side_by_side_in_the_order_asked(client, three):
    html = page(client, models="gamma,alpha,beta")

    assert html.index(">Gamma<") < html.index(">Alpha<") < html.index(">Beta<")
    assert "$0.002" in html and "Free" in html
    assert "Speech to text" in html and "#asr" in html
    assert "Audio" in html  # what gamma takes (catalog.kinds)
    assert "No ratings yet" in html


def test_usage_figures_count_forwarded_calls_only(client, three):
    alpha = three[0]
    ApiUsageLogFactory(model=alpha, response_code=200, processing_time_ms=120)
    ApiUsageLogFactory(model=alpha, response_code=502, processing_time_ms=80)
    ApiUsageLogFactory(model=alpha, response_code=429)  # refused: never counts

    html = page(client, models="alpha,beta")

    assert "50.0%" in html
    assert "no calls yet" in html  # beta


def test_likes_come_from_the_models_counter(client, three):
    AIModel.objects.filter(pk=three[1].pk).update(like_count=7)
    html = page(client, models="alpha,beta")
    assert "<td>7</td>" in html


def test_one_model_asks_for_another(client, three):
    html = page(client, models="alpha")
    assert "Add at least one more model" in html
    assert ">Alpha<" in html


def test_no_models_explains_how_to_start(client):
    assert "Choose 2 to 4 models" in page(client)


def test_more_than_four_shows_the_first_four_and_says_so(client, dana):
    for index in range(6):
        AIModelFactory(developer=dana, api_name=f"m{index}", display_name=f"Model number {index}")

    html = page(client, models="m0,m1,m2,m3,m4,m5")

    assert "up to 4 models at once" in html and "m4, m5" in html
    assert "Model number 3" in html and "Model number 4" not in html
    assert 'id="compare-add"' not in html  # full: no add form


def test_unknown_and_unlisted_names_are_named_not_an_error(client, three, dana):
    AIModelFactory(developer=dana, api_name="secret", is_public=False)
    AIModelFactory(developer=dana, api_name="paused", status=ModelStatus.INACTIVE)

    html = page(client, models="alpha,nope,secret,paused")

    assert "“nope”, “secret”, “paused”" in html
    assert "Add at least one more model" in html


def test_junk_in_the_list_is_harmless(client, three):
    html = page(client, models=" Alpha ,,beta,alpha,\x00,%s" % ("x" * 500))
    assert ">Alpha<" in html and ">Beta<" in html


def test_adding_by_api_name_or_display_name_redirects_to_the_new_list(client, three):
    response = client.get(URL, {"models": "alpha", "add": "BETA"})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?models=alpha,beta"

    response = client.get(URL, {"models": "alpha,beta", "add": "gamma"})
    assert response["Location"] == f"{URL}?models=alpha,beta,gamma"


def test_adding_an_unknown_name_suggests_matches(client, three):
    html = page(client, models="alpha", add="gam")
    assert "No model in the catalog is named “gam”" in html
    assert f"{URL}?models=alpha,gamma" in html
    assert 'value="gam"' in html


def test_adding_a_fifth_is_refused_with_a_message(client, dana):
    for index in range(5):
        AIModelFactory(developer=dana, api_name=f"m{index}")
    html = page(client, models="m0,m1,m2,m3", add="m4")
    assert "remove one before adding another" in html


def test_each_column_has_a_link_that_removes_it(client, three):
    html = page(client, models="alpha,beta,gamma")
    assert f'href="{URL}?models=alpha,gamma"' in html


def test_the_card_and_the_model_page_link_here(client, three):
    assert f"{URL}?models=alpha" in client.get(reverse("catalog:model_list")).content.decode()
    assert f"{URL}?models=alpha" in client.get(three[0].get_absolute_url()).content.decode()


@pytest.mark.parametrize("count", [2, 4])
def test_a_fixed_number_of_queries_whatever_the_count(client, dana, count, django_assert_max_num_queries):
    names = [AIModelFactory(developer=dana, api_name=f"q{index}").api_name for index in range(count)]
    with django_assert_max_num_queries(2):
        client.get(URL, {"models": ",".join(names)})


def test_a_deprecated_models_page_offers_no_comparison(client, dana):
    old = AIModelFactory(developer=dana, api_name="old-one", status=ModelStatus.DEPRECATED)
    assert f"{URL}?models=old-one" not in client.get(old.get_absolute_url()).content.decode()
