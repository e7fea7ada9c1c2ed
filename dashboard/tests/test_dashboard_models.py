"""/dashboard/models/: the developer's list, creating a listing (key shown once), the as-you-type
api_name check, and editing; crafted POSTs cannot reach fields outside the form."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import keys
from accounts.models import Developer
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("dashboard:models")
CREATE_URL = reverse("dashboard:model_create")
CHECK_URL = reverse("dashboard:api_name_check")

VALID = {
    "model_name": "tiny-llm-8b",
    "display_name": "Tiny LLM",
    "api_name": "tiny-llm",
    "description": "Small and quick.",
    "category": "text_generation",
    "tags": "Small, fast , small, english",
    "endpoint_url": "https://upstream.example.com/v1/generate",
    "price_per_request": "0.0025",
    "is_public": "on",
}


def test_the_list_shows_the_developers_own_models_only(signed_in, dana, eve, model):
    AIModelFactory(developer=eve, display_name="Eve Secret Model")
    response = signed_in.get(LIST_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Dana Summarizer" in html
    assert model.api_key_prefix in html
    assert "Eve Secret Model" not in html


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_runs_a_fixed_number_of_queries(signed_in, dana, rows, django_assert_max_num_queries):
    AIModelFactory.create_batch(rows, developer=dana)
    with django_assert_max_num_queries(4):
        assert signed_in.get(LIST_URL).status_code == 200


def test_the_create_form_labels_every_field_and_wires_the_api_name_check(signed_in):
    html = signed_in.get(CREATE_URL).content.decode()
    for name in (
        "model_name",
        "display_name",
        "api_name",
        "description",
        "category",
        "tags",
        "endpoint_url",
        "price_per_request",
        "is_public",
    ):
        assert f'for="id_{name}"' in html, name
    assert f'hx-get="{CHECK_URL}"' in html
    assert 'hx-trigger="keyup changed delay:400ms, change"' in html
    assert html.count("<h1") == 1


def test_creating_a_model_shows_its_key_once_and_stores_only_its_hash(signed_in, dana):
    response = signed_in.post(CREATE_URL, VALID)
    assert response.status_code == 200
    key = response.context["key"]
    html = response.content.decode()
    assert key in html
    assert "shown only this once" in html
    assert "no-store" in response["Cache-Control"]
    model = AIModel.objects.get(api_name="tiny-llm")
    assert model.developer == dana
    assert model.status == ModelStatus.UNDER_REVIEW
    assert model.api_key == keys.hash_key(key)
    assert model.api_key_prefix == keys.display_prefix(key)
    assert model.tags == ["small", "fast", "english"]
    assert model.price_per_request == Decimal("0.0025")
    assert model.is_public is True
    # Never again: the model's pages show the prefix, not the key.
    detail = signed_in.get(reverse("dashboard:model_detail", args=["tiny-llm"])).content.decode()
    assert key not in detail
    assert model.api_key_prefix in detail
    assert key not in signed_in.get(LIST_URL).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("api_name", "Tiny LLM", "Use lowercase letters, digits and single hyphens"),
        ("api_name", "tiny--llm", "Use lowercase letters, digits and single hyphens"),
        ("api_name", "new", "reserved"),
        ("api_name", "dana-summarizer", "That API name is taken"),
        ("endpoint_url", "ftp://upstream.example.com/", "http:// or https://"),
        ("endpoint_url", "javascript:alert(1)", "http:// or https://"),
        ("price_per_request", "-1", "greater than or equal to 0"),
        ("price_per_request", "0.00001", "no more than 4 decimal places"),
        ("price_per_request", "1000000", "no more than 6 digits before the decimal point"),
        ("category", "astrology", "Select a valid choice"),
        ("tags", ",".join(f"t{i}" for i in range(21)), "at most 20 tags"),
        ("tags", "x" * 51, "at most 50 characters"),
        ("tags", "fine, b\x00c", "Null characters are not allowed."),
        ("display_name", "", "This field is required"),
        ("model_name", "m" * 201, "at most 200 characters"),
    ],
)
def test_the_create_form_refuses_what_the_database_would_refuse(signed_in, model, field, value, message):
    response = signed_in.post(CREATE_URL, {**VALID, field: value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert 'class="field field-error' in html
    assert AIModel.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8001/echo",
        "http://localhost:8001/echo",
        "http://models.localhost/echo",
        "http://10.0.0.5/v1",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/v1",
        "http://[::ffff:192.168.0.1]/v1",
    ],
)
def test_an_endpoint_at_a_private_address_is_refused_when_private_networks_are_off(
    signed_in, model, settings, url
):
    settings.UPSTREAM_PRIVATE_NETWORKS = False

    response = signed_in.post(CREATE_URL, {**VALID, "endpoint_url": url})

    assert response.status_code == 200
    assert "does not call loopback, private or link-local addresses" in " ".join(
        response.context["form"].errors["endpoint_url"]
    )
    assert AIModel.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "private_networks"),
    [
        ("https://upstream.example.com/v1/generate", False),
        ("http://8.8.8.8/v1", False),
        ("http://127.0.0.1:8001/echo", True),
    ],
)
def test_public_endpoints_and_with_private_networks_on_any_endpoint_are_accepted(
    signed_in, model, settings, url, private_networks
):
    settings.UPSTREAM_PRIVATE_NETWORKS = private_networks

    response = signed_in.post(CREATE_URL, {**VALID, "endpoint_url": url})

    assert response.status_code == 200
    assert AIModel.objects.get(api_name="tiny-llm").endpoint_url == url


def test_the_create_form_keeps_the_input_after_an_error(signed_in, model):
    html = signed_in.post(CREATE_URL, {**VALID, "api_name": "dana-summarizer"}).content.decode()
    assert 'value="Tiny LLM"' in html
    assert "Small and quick." in html
    assert 'value="Small, fast , small, english"' in html


def test_a_constraint_the_form_did_not_foresee_becomes_a_form_error(signed_in, model, monkeypatch):
    # Another request takes the name between the checks and the INSERT: only the database notices.
    monkeypatch.setattr("catalog.forms.api_name_taken", lambda value: False)
    monkeypatch.setattr("django.forms.models.BaseModelForm.validate_unique", lambda self: None)
    monkeypatch.setattr(AIModel, "validate_unique", lambda self, exclude=None: None)
    response = signed_in.post(CREATE_URL, {**VALID, "api_name": "dana-summarizer"})
    assert response.status_code == 200
    assert response.context["form"].errors["api_name"] == ["That API name is taken. Choose another."]
    assert AIModel.objects.count() == 1


def test_a_crafted_create_post_cannot_set_owner_status_key_counters_or_quota(signed_in, dana, eve):
    crafted = {
        **VALID,
        "developer": str(eve.pk),
        "developer_id": str(eve.pk),
        "status": "active",
        "api_key": "0" * 64,
        "api_key_prefix": "amp_mk_owned",
        "total_requests": "999",
        "total_users": "999",
        "average_rating": "5.00",
        "rating_count": "99",
        "api_quota": "999999999",
    }
    signed_in.post(CREATE_URL, crafted)
    model = AIModel.objects.get(api_name="tiny-llm")
    assert model.developer == dana
    assert model.status == ModelStatus.UNDER_REVIEW
    assert model.api_key != "0" * 64
    assert model.api_key_prefix.startswith(keys.MODEL_KEY_PREFIX)
    assert model.api_key_prefix != "amp_mk_owned"
    assert (model.total_requests, model.total_users, model.rating_count) == (0, 0, 0)
    assert model.average_rating == Decimal("0")
    assert Developer.objects.get(pk=dana.pk).api_quota == dana.api_quota


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("fresh-name", "is available"),
        ("dana-summarizer", "is taken"),
        ("Bad Name", "Use lowercase letters"),
        ("new", "reserved"),
        ("", ""),
    ],
)
def test_the_api_name_check_answers_as_the_developer_types(signed_in, model, value, text):
    response = signed_in.get(CHECK_URL, {"api_name": value}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert text in body
    assert "<html" not in body


def test_the_edit_form_changes_the_listing_and_redirects(signed_in, model):
    url = reverse("dashboard:model_edit", args=[model.api_name])
    assert signed_in.get(url).status_code == 200
    response = signed_in.post(url, {**VALID, "display_name": "Dana Summarizer 2", "is_public": ""})
    assert response.status_code == 302
    assert response.url == reverse("dashboard:model_detail", args=[model.api_name])
    model.refresh_from_db()
    assert model.display_name == "Dana Summarizer 2"
    assert model.is_public is False
    assert model.tags == ["small", "fast", "english"]
    assert model.api_name == "dana-summarizer"


def test_the_edit_form_shows_errors_and_changes_nothing(signed_in, model):
    url = reverse("dashboard:model_edit", args=[model.api_name])
    response = signed_in.post(
        url, {**VALID, "display_name": "New name", "endpoint_url": "file:///etc/passwd"}
    )
    assert response.status_code == 200
    assert "http:// or https://" in " ".join(response.context["form"].errors["endpoint_url"])
    assert "<h1>Edit Dana Summarizer</h1>" in response.content.decode()
    model.refresh_from_db()
    assert model.display_name == "Dana Summarizer"


def test_the_edit_form_refuses_a_null_character_in_the_tags(signed_in, model):
    url = reverse("dashboard:model_edit", args=[model.api_name])

    response = signed_in.post(url, {**VALID, "tags": "fine, b\x00c"})

    assert response.status_code == 200
    assert "Null characters are not allowed." in " ".join(response.context["form"].errors["tags"])
    model.refresh_from_db()
    assert "fine" not in model.tags


def test_a_crafted_edit_post_cannot_change_owner_status_key_counters_api_name_or_quota(
    signed_in, dana, eve, model
):
    before = (
        AIModel.objects.filter(pk=model.pk)
        .values(
            "developer_id",
            "status",
            "api_key",
            "api_key_prefix",
            "api_name",
            "total_requests",
            "total_users",
            "average_rating",
            "rating_count",
            "rating_sum",
        )
        .get()
    )
    crafted = {
        **VALID,
        "developer": str(eve.pk),
        "status": "deprecated",
        "api_key": "0" * 64,
        "api_key_prefix": "amp_mk_owned",
        "api_name": "renamed",
        "total_requests": "999",
        "average_rating": "5.00",
        "rating_count": "99",
        "rating_sum": "495",
        "api_quota": "999999999",
    }
    response = signed_in.post(reverse("dashboard:model_edit", args=[model.api_name]), crafted)
    assert response.status_code == 302
    after = AIModel.objects.filter(pk=model.pk).values(*before).get()
    assert after == before
    assert AIModel.objects.get(pk=model.pk).display_name == "Tiny LLM"
    assert Developer.objects.get(pk=dana.pk).api_quota == dana.api_quota


def test_the_detail_page_shows_status_key_prefix_and_actions(signed_in, model):
    response = signed_in.get(reverse("dashboard:model_detail", args=[model.api_name]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert model.api_key_prefix in html
    assert reverse("dashboard:model_deactivate", args=[model.api_name]) in html
    assert reverse("dashboard:model_deprecate", args=[model.api_name]) in html
    assert reverse("dashboard:model_key_rotate", args=[model.api_name]) in html
    assert model.get_absolute_url() in html
