"""models.like_count stays exact when many users like and unlike one model at the same moment."""

import pytest

from accounts.tests.factories import UserFactory
from catalog.models import AIModel
from catalog.tests.factories import AIModelFactory
from favourites.models import ModelLike
from tests.test_concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_thirty_users_liking_one_model_at_once_give_the_exact_count():
    model = AIModelFactory()
    users = UserFactory.create_batch(30, credits=0)

    at_once(30, lambda i: ModelLike.objects.create(user_id=users[i].pk, model_id=model.pk))

    assert AIModel.objects.get(pk=model.pk).like_count == 30


def test_simultaneous_likes_and_unlikes_leave_the_exact_count():
    model = AIModelFactory()
    users = UserFactory.create_batch(30, credits=0)
    for user in users[:15]:
        ModelLike.objects.create(user=user, model=model)

    def work(i: int) -> None:
        if i < 15:
            ModelLike.objects.filter(user_id=users[i].pk, model_id=model.pk).delete()
        else:
            ModelLike.objects.create(user_id=users[i].pk, model_id=model.pk)

    at_once(30, work)

    assert AIModel.objects.get(pk=model.pk).like_count == 15 == ModelLike.objects.filter(model=model).count()


def test_one_user_pressing_like_in_many_tabs_at_once_counts_once():
    from favourites import services

    model = AIModelFactory()
    user = UserFactory(credits=0)
    model = AIModel.objects.select_related("developer__user").get(pk=model.pk)

    at_once(10, lambda i: services.like_set(user=user, model=model, liked=True))

    assert AIModel.objects.get(pk=model.pk).like_count == 1
