import pytest

from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from favourites import services
from favourites.models import ModelLike
from favourites.tests.factories import ModelLikeFactory

pytestmark = pytest.mark.django_db


def like_count(model) -> int:
    return AIModel.objects.get(pk=model.pk).like_count


def test_a_verified_user_likes_a_model_and_the_count_follows(alice, model):
    assert services.like_set(user=alice, model=model, liked=True) is True

    assert like_count(model) == 1
    assert ModelLike.objects.filter(user=alice, model=model).exists()


def test_liking_twice_keeps_one_like(alice, model):
    services.like_set(user=alice, model=model, liked=True)
    services.like_set(user=alice, model=model, liked=True)

    assert like_count(model) == 1


def test_taking_the_like_back_lowers_the_count(alice, bob, model):
    services.like_set(user=alice, model=model, liked=True)
    services.like_set(user=bob, model=model, liked=True)

    assert services.like_set(user=alice, model=model, liked=False) is False
    assert services.like_set(user=alice, model=model, liked=False) is False

    assert like_count(model) == 1


def test_a_pending_user_cannot_like(pat, model):
    with pytest.raises(services.FavouritesError, match="Verify your email address"):
        services.like_set(user=pat, model=model, liked=True)
    assert like_count(model) == 0


def test_a_developer_cannot_like_their_own_model(dana, model):
    with pytest.raises(services.FavouritesError, match="your own model"):
        services.like_set(user=dana.user, model=model, liked=True)


def test_an_unlisted_model_takes_no_likes(alice, dana):
    hidden = AIModelFactory(developer=dana, status=ModelStatus.UNDER_REVIEW)
    with pytest.raises(services.FavouritesError, match="not open to likes"):
        services.like_set(user=alice, model=hidden, liked=True)


def test_the_trigger_counts_likes_written_by_plain_sql(alice, bob, model):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO model_likes (user_id, model_id) VALUES (%s, %s)", [alice.pk, model.pk])
        cursor.execute("INSERT INTO model_likes (user_id, model_id) VALUES (%s, %s)", [bob.pk, model.pk])
        assert like_count(model) == 2
        cursor.execute("DELETE FROM model_likes WHERE user_id = %s", [alice.pk])
    assert like_count(model) == 1


def test_a_like_moved_to_another_model_counts_there(alice, model, other_model):
    like = ModelLikeFactory(user=alice, model=model)

    ModelLike.objects.filter(pk=like.pk).update(model=other_model)

    assert (like_count(model), like_count(other_model)) == (0, 1)


def test_the_count_never_goes_below_zero_in_the_database(model):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AIModel.objects.filter(pk=model.pk).update(like_count=-1)
