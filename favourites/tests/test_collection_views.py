import pytest
from django.test import Client
from django.urls import reverse

from catalog.tests.factories import AIModelFactory
from favourites.models import Collection, CollectionModel
from favourites.tests.factories import CollectionFactory, CollectionModelFactory

pytestmark = pytest.mark.django_db


def detail(collection) -> str:
    return reverse("favourites:collection_detail", args=[collection.pk])


def item_url(name: str, item) -> str:
    return reverse(f"favourites:{name}", args=[item.collection_id, item.pk])


# --- Seeing collections ---------------------------------------------------------------------------------
def test_a_private_collection_is_404_to_everyone_but_its_owner(client, collection, bob):
    assert client.get(detail(collection)).status_code == 404
    client.force_login(bob)
    assert client.get(detail(collection)).status_code == 404
    client.force_login(collection.user)
    assert client.get(detail(collection)).status_code == 200


def test_a_public_collection_shows_its_models_in_order_with_notes(client, collection, model, other_model):
    CollectionModelFactory(collection=collection, model=other_model, position=0, note="Fast drafts")
    CollectionModelFactory(collection=collection, model=model, position=1)
    Collection.objects.filter(pk=collection.pk).update(is_public=True)

    html = client.get(detail(collection)).content.decode()

    assert html.index("Eve Writer") < html.index("Dana Summarizer")
    assert "Fast drafts" in html
    assert "by alice" in html
    assert "Move" not in html  # no owner controls for visitors


def test_visitors_do_not_see_models_that_left_the_catalog_but_the_owner_does(client, collection, dana):
    gone = AIModelFactory(developer=dana, display_name="Gone Model", is_public=False)
    CollectionModelFactory(collection=collection, model=gone)
    Collection.objects.filter(pk=collection.pk).update(is_public=True)

    assert "Gone Model" not in client.get(detail(collection)).content.decode()
    client.force_login(collection.user)
    html = client.get(detail(collection)).content.decode()
    assert "Gone Model" in html and "Not in the catalog" in html


def test_the_list_shows_public_collections_only(client, collection, bob):
    CollectionFactory(user=bob, title="Bob's public picks", is_public=True)

    html = client.get(reverse("favourites:collection_list")).content.decode()

    assert "Bob&#x27;s public picks" in html
    assert "Summaries" not in html


def test_the_list_sorts_by_most_models(client, bob, dana):
    small = CollectionFactory(user=bob, title="Small one")
    big = CollectionFactory(user=bob, title="Big one")
    for model in AIModelFactory.create_batch(3, developer=dana):
        CollectionModelFactory(collection=big, model=model)
    CollectionModelFactory(collection=small, model=AIModelFactory(developer=dana))

    html = client.get(reverse("favourites:collection_list"), {"sort": "models"}).content.decode()

    assert html.index("Big one") < html.index("Small one")
    assert "3 models" in html


def test_the_list_runs_a_fixed_number_of_queries(client, alice, dana, django_assert_max_num_queries):
    models = AIModelFactory.create_batch(5, developer=dana)
    for index in range(10):
        collection = CollectionFactory(user=alice, title=f"List {index}")
        for model in models:
            CollectionModelFactory(collection=collection, model=model)
    client.force_login(alice)

    with django_assert_max_num_queries(10):
        assert client.get(reverse("favourites:collection_list")).status_code == 200


def test_the_collection_page_runs_a_fixed_number_of_queries(
    client, alice, dana, django_assert_max_num_queries
):
    collection = CollectionFactory(user=alice)
    for model in AIModelFactory.create_batch(12, developer=dana):
        CollectionModelFactory(collection=collection, model=model)
    client.force_login(alice)

    with django_assert_max_num_queries(8):
        assert client.get(detail(collection)).status_code == 200


# --- Creating, editing, deleting ------------------------------------------------------------------------
def test_a_user_creates_a_collection(alice_client, alice):
    response = alice_client.post(
        reverse("favourites:collection_create"), {"title": "Code helpers", "note": "For reviews"}
    )

    collection = Collection.objects.get(user=alice)
    assert response["Location"] == detail(collection)
    assert (collection.title, collection.note, collection.is_public) == ("Code helpers", "For reviews", False)


def test_bad_input_keeps_what_was_typed(alice_client):
    response = alice_client.post(
        reverse("favourites:collection_create"), {"title": "   ", "note": "My careful note"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the collection a title." in html
    assert "My careful note" in html
    assert not Collection.objects.exists()


def test_a_too_long_title_is_explained(alice_client):
    response = alice_client.post(reverse("favourites:collection_create"), {"title": "x" * 101})
    assert "A title has at most 100 characters." in response.content.decode()


def test_a_pending_user_is_told_why_a_collection_cannot_be_public(client, pat):
    client.force_login(pat)

    response = client.post(reverse("favourites:collection_create"), {"title": "Mine", "is_public": "on"})

    html = response.content.decode()
    assert "Verify your email address to make a collection public" in html
    assert 'value="Mine"' in html
    assert not Collection.objects.exists()


def test_the_owner_edits_and_publishes_the_collection(alice_client, collection):
    response = alice_client.post(
        reverse("favourites:collection_edit", args=[collection.pk]),
        {"title": "Summaries I trust", "note": "", "is_public": "on"},
    )

    assert response.status_code == 302
    collection.refresh_from_db()
    assert (collection.title, collection.is_public) == ("Summaries I trust", True)


@pytest.mark.parametrize("name", ["collection_edit", "collection_delete"])
def test_only_the_owner_edits_or_deletes(client, bob, collection, name):
    Collection.objects.filter(pk=collection.pk).update(is_public=True)
    client.force_login(bob)
    url = reverse(f"favourites:{name}", args=[collection.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Mine now"}).status_code == 404
    assert Collection.objects.get(pk=collection.pk).title == "Summaries"


def test_the_owner_deletes_the_collection(alice_client, collection, model):
    CollectionModelFactory(collection=collection, model=model)

    response = alice_client.post(reverse("favourites:collection_delete", args=[collection.pk]))

    assert response["Location"] == reverse("favourites:collection_list")
    assert not Collection.objects.exists() and not CollectionModel.objects.exists()


def test_creating_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("favourites:collection_create"), {"title": "x"}).status_code == 403


# --- Adding from the model page -------------------------------------------------------------------------
def test_adding_a_model_to_an_existing_collection(alice_client, collection, model):
    response = alice_client.post(
        reverse("favourites:collect", args=[model.api_name]), {"collection": str(collection.pk)}
    )

    assert response["Location"] == detail(collection)
    assert CollectionModel.objects.filter(collection=collection, model=model).exists()


def test_adding_a_model_to_a_new_collection(alice_client, alice, model):
    alice_client.post(
        reverse("favourites:collect", args=[model.api_name]), {"collection": "new", "new_title": "Fresh"}
    )

    collection = Collection.objects.get(user=alice)
    assert collection.title == "Fresh"
    assert list(collection.items.values_list("model__api_name", flat=True)) == [model.api_name]


def test_a_new_collection_needs_a_title_and_keeps_the_choice(alice_client, model):
    response = alice_client.post(reverse("favourites:collect", args=[model.api_name]), {"collection": "new"})

    assert "Give the new collection a title." in response.content.decode()
    assert not Collection.objects.exists()


def test_adding_twice_says_so(alice_client, collection, model):
    CollectionModelFactory(collection=collection, model=model)

    response = alice_client.post(
        reverse("favourites:collect", args=[model.api_name]), {"collection": str(collection.pk)}
    )

    assert "already in the collection" in response.content.decode()


def test_nobody_adds_to_another_users_collection(client, bob, collection, model):
    client.force_login(bob)

    response = client.post(
        reverse("favourites:collect", args=[model.api_name]), {"collection": str(collection.pk)}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CollectionModel.objects.exists()


def test_the_model_page_lists_the_users_collections(alice_client, collection, model):
    html = alice_client.get(model.get_absolute_url()).content.decode()
    assert "Add to collection" in html
    assert f'value="{collection.pk}"' in html


# --- Items: reorder, remove, note -----------------------------------------------------------------------
def test_the_owner_moves_an_item_up(alice_client, collection, model, other_model):
    CollectionModelFactory(collection=collection, model=model, position=0)
    second = CollectionModelFactory(collection=collection, model=other_model, position=1)

    response = alice_client.post(item_url("item_move", second), {"direction": "up"})

    assert response["Location"] == f"{detail(collection)}#item-{second.pk}"
    assert list(collection.items.order_by("position").values_list("model__api_name", flat=True)) == [
        "eve-writer",
        "dana-summarizer",
    ]


def test_the_owner_removes_an_item(alice_client, collection, model):
    item = CollectionModelFactory(collection=collection, model=model)

    alice_client.post(item_url("item_remove", item))

    assert not CollectionModel.objects.exists()


def test_the_owner_edits_an_items_note_and_bad_input_is_kept(alice_client, collection, model):
    item = CollectionModelFactory(collection=collection, model=model)

    response = alice_client.post(item_url("item_note", item), {"note": "y" * 501})
    assert "A note has at most 500 characters." in response.content.decode()

    alice_client.post(item_url("item_note", item), {"note": "Best for long reports"})
    item.refresh_from_db()
    assert item.note == "Best for long reports"


@pytest.mark.parametrize("name", ["item_move", "item_remove", "item_note"])
def test_item_controls_are_404_to_others(client, bob, collection, model, name):
    Collection.objects.filter(pk=collection.pk).update(is_public=True)
    item = CollectionModelFactory(collection=collection, model=model, note="keep")
    client.force_login(bob)

    assert client.post(item_url(name, item), {"note": "changed"}).status_code == 404
    item.refresh_from_db()
    assert item.note == "keep"


@pytest.mark.parametrize("name", ["item_move", "item_remove"])
def test_item_controls_reject_get(alice_client, collection, model, name):
    item = CollectionModelFactory(collection=collection, model=model)
    assert alice_client.get(item_url(name, item)).status_code == 405


def test_the_profile_lists_the_users_collections(alice_client, collection):
    html = alice_client.get(reverse("me:profile")).content.decode()
    assert "Summaries" in html and "Models you like" in html
