"""Deleting a user, a model or a collection by plain SQL takes their likes and collection rows with it."""

import pytest
from django.db import connection

from catalog.models import AIModel
from favourites.models import Collection, CollectionModel, ModelLike
from favourites.tests.factories import CollectionFactory, CollectionModelFactory, ModelLikeFactory

pytestmark = pytest.mark.django_db


def sql(statement: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_every_foreign_key_of_the_favourites_tables_cascades():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, confdeltype FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid::regclass::text IN ('model_likes', 'collections', 'collection_models')"
        )
        keys = cursor.fetchall()
    assert len(keys) == 5
    assert [name for name, action in keys if action != "c"] == []


def test_deleting_a_user_removes_their_likes_and_collections_and_lowers_the_count(alice, bob, model):
    ModelLikeFactory(user=alice, model=model)
    ModelLikeFactory(user=bob, model=model)
    CollectionModelFactory(collection=CollectionFactory(user=alice), model=model)

    sql("DELETE FROM users WHERE user_id = %s", [alice.pk])

    assert not ModelLike.objects.filter(user_id=alice.pk).exists()
    assert not Collection.objects.filter(user_id=alice.pk).exists()
    assert not CollectionModel.objects.exists()
    assert AIModel.objects.get(pk=model.pk).like_count == 1


def test_deleting_a_model_removes_its_likes_and_its_places_in_collections(alice, model, collection):
    ModelLikeFactory(user=alice, model=model)
    CollectionModelFactory(collection=collection, model=model)

    sql("DELETE FROM models WHERE model_id = %s", [model.pk])

    assert not ModelLike.objects.exists()
    assert not CollectionModel.objects.exists()
    assert Collection.objects.filter(pk=collection.pk).exists()


def test_deleting_a_collection_removes_its_items(collection, model):
    CollectionModelFactory(collection=collection, model=model)

    sql("DELETE FROM collections WHERE collection_id = %s", [collection.pk])

    assert not CollectionModel.objects.exists()
    assert AIModel.objects.filter(pk=model.pk).exists()
