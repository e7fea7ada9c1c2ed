from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts import keys
from accounts.tests.factories import DeveloperFactory
from catalog.models import AIModel, Category, ModelStatus


class AIModelFactory(DjangoModelFactory):
    """An active, public model. Pass `key=` to know its plain API key."""

    class Meta:
        model = AIModel
        exclude = ["key"]

    developer = factory.SubFactory(DeveloperFactory)
    model_name = factory.Sequence(lambda n: f"model-{n}")
    display_name = factory.Sequence(lambda n: f"Model {n}")
    description = factory.Faker("paragraph")
    api_name = factory.Sequence(lambda n: f"model-{n}")
    key = factory.LazyFunction(keys.generate_model_key)
    api_key = factory.LazyAttribute(lambda m: keys.hash_key(m.key))
    api_key_prefix = factory.LazyAttribute(lambda m: keys.display_prefix(m.key))
    category = Category.TEXT_GENERATION
    tags = factory.LazyFunction(lambda: ["nlp"])
    status = ModelStatus.ACTIVE
    is_public = True
    endpoint_url = "http://127.0.0.1:9/unused"
    price_per_request = Decimal("0.0100")
