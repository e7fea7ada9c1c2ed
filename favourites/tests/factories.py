import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from catalog.tests.factories import AIModelFactory
from favourites.models import Collection, CollectionModel, ModelLike


class ModelLikeFactory(DjangoModelFactory):
    class Meta:
        model = ModelLike

    user = factory.SubFactory(UserFactory)
    model = factory.SubFactory(AIModelFactory)


class CollectionFactory(DjangoModelFactory):
    class Meta:
        model = Collection

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Collection {n}")
    note = ""
    is_public = True


class CollectionModelFactory(DjangoModelFactory):
    class Meta:
        model = CollectionModel

    collection = factory.SubFactory(CollectionFactory)
    model = factory.SubFactory(AIModelFactory)
    position = factory.Sequence(lambda n: n)
