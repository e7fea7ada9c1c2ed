import pytest
from django.db import IntegrityError, connection, transaction

from catalog.models import ModelStatus
from catalog.tests.factories import AIModelFactory
from favourites import services
from favourites.models import Collection, CollectionModel
from favourites.tests.factories import CollectionFactory, CollectionModelFactory

pytestmark = pytest.mark.django_db


def order(collection) -> list[str]:
    return list(
        CollectionModel.objects.filter(collection=collection)
        .order_by("position")
        .values_list("model__api_name", flat=True)
    )


def test_models_are_added_at_the_end_in_order(collection, model, other_model):
    services.collection_add_model(collection=collection, model=model)
    services.collection_add_model(collection=collection, model=other_model, note="for drafts")

    assert order(collection) == ["dana-summarizer", "eve-writer"]
    assert CollectionModel.objects.get(model=other_model).note == "for drafts"


def test_a_model_is_in_a_collection_once(collection, model):
    services.collection_add_model(collection=collection, model=model)

    with pytest.raises(services.FavouritesError, match="already in the collection"):
        services.collection_add_model(collection=collection, model=model)


def test_the_database_refuses_a_model_twice_in_a_collection(collection, model):
    CollectionModelFactory(collection=collection, model=model, position=0)

    with pytest.raises(IntegrityError), transaction.atomic():
        CollectionModelFactory(collection=collection, model=model, position=1)


def test_an_unlisted_model_cannot_be_added(collection, dana):
    hidden = AIModelFactory(developer=dana, status=ModelStatus.INACTIVE)

    with pytest.raises(services.FavouritesError, match="cannot be added"):
        services.collection_add_model(collection=collection, model=hidden)


def test_a_collection_holds_a_bounded_number_of_models(collection, monkeypatch, model, other_model):
    monkeypatch.setattr(services, "MAX_COLLECTION_MODELS", 1)
    services.collection_add_model(collection=collection, model=model)

    with pytest.raises(services.FavouritesError, match="at most"):
        services.collection_add_model(collection=collection, model=other_model)


def test_moving_up_and_down_swaps_neighbours(collection, dana):
    models = [AIModelFactory(developer=dana, api_name=f"m-{i}") for i in range(3)]
    items = [services.collection_add_model(collection=collection, model=m) for m in models]

    assert services.collection_move_item(item=items[2], up=True) is True
    assert order(collection) == ["m-0", "m-2", "m-1"]
    assert services.collection_move_item(item=items[0], up=False) is True
    assert order(collection) == ["m-2", "m-0", "m-1"]
    assert services.collection_move_item(item=items[2], up=True) is False
    assert services.collection_move_item(item=items[1], up=False) is False


def test_moving_skips_the_gap_a_removal_left(collection, dana):
    models = [AIModelFactory(developer=dana, api_name=f"m-{i}") for i in range(3)]
    items = [services.collection_add_model(collection=collection, model=m) for m in models]
    services.collection_remove_item(item=items[1])

    services.collection_move_item(item=items[2], up=True)

    assert order(collection) == ["m-2", "m-0"]


def test_two_items_never_share_a_position_at_commit(collection, model, other_model):
    CollectionModelFactory(collection=collection, model=model, position=0)
    CollectionModelFactory(collection=collection, model=other_model, position=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        CollectionModel.objects.filter(model=other_model).update(position=0)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_new_collection_with_a_model_is_written_whole(alice, model):
    collection, item = services.collection_create_with_model(user=alice, title="  Picks  ", model=model)

    assert collection.title == "Picks"
    assert not collection.is_public
    assert item.collection == collection


def test_a_failed_add_leaves_no_empty_new_collection(alice, dana):
    hidden = AIModelFactory(developer=dana, status=ModelStatus.INACTIVE)

    with pytest.raises(services.FavouritesError):
        services.collection_create_with_model(user=alice, title="Picks", model=hidden)

    assert not Collection.objects.filter(user=alice).exists()


def test_a_pending_user_keeps_private_collections_but_cannot_publish(pat):
    collection = services.collection_create(user=pat, title="Mine")
    with pytest.raises(services.FavouritesError, match="Verify your email address"):
        services.collection_create(user=pat, title="Shared", is_public=True)
    with pytest.raises(services.FavouritesError, match="Verify your email address"):
        services.collection_update(collection=collection, title="Mine", note="", is_public=True)


@pytest.mark.parametrize(
    "column, value",
    [("title", ""), ("title", "   "), ("note", "x" * 2001)],
)
def test_the_database_checks_the_lengths_of_a_collection(alice, column, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        CollectionFactory(user=alice, **{column: value})


def test_the_database_checks_the_length_of_an_item_note(collection, model):
    with pytest.raises(IntegrityError), transaction.atomic():
        CollectionModelFactory(collection=collection, model=model, note="x" * 501)
