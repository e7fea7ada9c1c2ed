"""The catalog as OpenAI's models API: GET /api/v1/models is also a `list` of `model` objects, GET
/api/v1/models/<api_name> retrieves one; both proved with the official `openai` client on a live server,
with the catalog's own fields and pages kept for its existing clients."""

from datetime import timedelta
from decimal import Decimal

import openai
import pytest
from django.utils import timezone

from accounts.models import DeveloperStatus
from activity.gateway.schemas import ModelOut, ModelsPage
from activity.models import ApiUsageLog, DeveloperMonthlyUsage
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory


@pytest.fixture
def catalog(dana, eve, upstream):
    now = timezone.now()
    models = [
        AIModelFactory(developer=dana, api_name="demo-summarizer", display_name="Demo Summarizer",
                       endpoint_url=f"{upstream.url}/summarize", price_per_request=Decimal("0.0100")),
        AIModelFactory(developer=dana, api_name="demo-chat", display_name="Demo Chat",
                       endpoint_url=f"{upstream.url}/chat/completions"),
        AIModelFactory(developer=eve, api_name="eve-coder", display_name="Eve Coder"),
    ]  # fmt: skip
    for days, model in zip((3, 2, 1), models, strict=True):
        AIModel.objects.filter(pk=model.pk).update(created_at=now - timedelta(days=days))
    AIModelFactory(developer=dana, api_name="dana-private", is_public=False)
    AIModelFactory(developer=dana, api_name="dana-retired", status=ModelStatus.DEPRECATED)
    return {model.api_name: AIModel.objects.get(pk=model.pk) for model in models}


def test_the_list_is_also_an_openai_model_list(client, catalog):
    body = client.get("/api/v1/models?sort=name").json()

    ModelsPage.model_validate(body)
    assert body["object"] == "list"
    assert [entry["id"] for entry in body["data"]] == ["demo-chat", "demo-summarizer", "eve-coder"]
    summarizer = body["data"][1]
    assert summarizer["object"] == "model"
    assert summarizer["created"] == int(catalog["demo-summarizer"].created_at.timestamp())
    assert summarizer["owned_by"] == "dana"
    # The catalog's own fields stay, in each entry and on the page.
    assert summarizer["api_name"] == "demo-summarizer"
    assert summarizer["display_name"] == "Demo Summarizer"
    assert summarizer["price_per_request"] == 0.01
    assert summarizer["invoke_url"].endswith("/api/v1/models/demo-summarizer/invoke")
    assert body["results"] == body["data"]
    assert (body["count"], body["page"], body["num_pages"], body["next"]) == (3, 1, 1, None)


def test_the_official_client_lists_the_catalog(openai_client, catalog, alice_key):
    client = openai_client(alice_key)

    models = list(client.models.list())

    assert sorted(model.id for model in models) == ["demo-chat", "demo-summarizer", "eve-coder"]
    by_id = {model.id: model for model in models}
    assert by_id["eve-coder"].object == "model"
    assert by_id["eve-coder"].owned_by == "eve"
    assert by_id["eve-coder"].created == int(catalog["eve-coder"].created_at.timestamp())
    # The catalog's fields come along as the client's extra fields.
    assert by_id["eve-coder"].model_extra["display_name"] == "Eve Coder"


def test_the_official_client_reaches_later_pages_through_the_catalogs_page_parameters(
    openai_client, catalog, alice_key
):
    # openai's models.list() reads one page (its SyncPage never asks for a next one); a client that wants
    # more passes the catalog's own page parameters.
    client = openai_client(alice_key)

    first = client.models.list(extra_query={"sort": "name", "page_size": 2})
    second = client.models.list(extra_query={"sort": "name", "page_size": 2, "page": 2})

    assert [model.id for model in first] == ["demo-chat", "demo-summarizer"]
    assert first.model_extra["next"].endswith("page=2")
    assert [model.id for model in second] == ["eve-coder"]
    assert second.model_extra["next"] is None


def test_the_official_client_retrieves_a_model(openai_client, catalog, alice_key):
    client = openai_client(alice_key)

    model = client.models.retrieve("demo-summarizer")

    assert (model.id, model.object, model.owned_by) == ("demo-summarizer", "model", "dana")
    assert model.created == int(catalog["demo-summarizer"].created_at.timestamp())
    assert model.model_extra["page_url"].endswith("/models/demo-summarizer/")


@pytest.mark.parametrize("name", ["dana-private", "dana-retired", "nope", "demo-summarizer-x"])
def test_a_model_not_in_the_catalog_is_a_model_not_found_for_the_client(
    openai_client, catalog, alice_key, name
):
    client = openai_client(alice_key)

    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve(name)

    assert caught.value.status_code == 404
    assert caught.value.code == "model_not_found"


def test_the_official_client_lists_retrieves_and_creates(openai_client, catalog, alice, alice_key, dana):
    client = openai_client(alice_key)

    listed = {model.id for model in client.models.list()}
    chosen = client.models.retrieve("demo-chat")
    completion = client.chat.completions.create(
        model=chosen.id, messages=[{"role": "user", "content": "Route this call to the model."}]
    )

    assert "demo-chat" in listed
    assert completion.model == "demo-chat"
    assert completion.choices[0].message.content == "You said: Route this call to the model."
    # Listing and retrieving are free and leave no usage rows; the completion is one call.
    assert ApiUsageLog.objects.get().response_code == 200
    assert DeveloperMonthlyUsage.objects.get(developer=dana).calls == 1


def test_deleting_a_model_through_the_client_is_a_405(openai_client, catalog, alice_key):
    client = openai_client(alice_key)

    with pytest.raises(openai.APIStatusError) as caught:
        client.models.delete("demo-chat")

    assert caught.value.status_code == 405
    assert caught.value.code == "method_not_allowed"
    assert caught.value.response.headers["Allow"] == "GET"
    assert AIModel.objects.filter(api_name="demo-chat").exists()


def test_retrieve_answers_the_same_entry_as_the_list(client, catalog):
    listed = client.get("/api/v1/models").json()["data"]
    entry = next(row for row in listed if row["id"] == "eve-coder")

    response = client.get("/api/v1/models/eve-coder")

    assert response.status_code == 200
    ModelOut.model_validate(response.json())
    assert response.json() == entry


def test_retrieve_needs_no_key_and_ignores_one(client, catalog):
    assert client.get("/api/v1/models/eve-coder").status_code == 200
    assert client.get("/api/v1/models/eve-coder", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 200


def test_retrieve_hides_models_of_suspended_developers(client, catalog, eve):
    eve.status = DeveloperStatus.SUSPENDED
    eve.save()

    response = client.get("/api/v1/models/eve-coder")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"


@pytest.mark.parametrize("name", ["%00", "a" * 300, "%C3%A9t%C3%A9", "DEMO-CHAT"])
def test_retrieve_answers_404_for_names_no_model_can_have(client, catalog, name):
    response = client.get(f"/api/v1/models/{name}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"


def test_retrieve_refuses_a_key_in_the_query_string(client, catalog):
    response = client.get("/api/v1/models/eve-coder?api_key=amp_pk_whatever")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "key_in_query"


def test_retrieve_runs_two_queries(client, catalog, django_assert_num_queries):
    with django_assert_num_queries(2):  # the model, its stats
        assert client.get("/api/v1/models/eve-coder").status_code == 200
