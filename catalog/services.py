"""Writes on model listings that touch several rows or hand out secrets."""

from django.db import transaction

from accounts import keys
from accounts.models import Developer
from catalog.models import AIModel


@transaction.atomic
def model_create(*, developer: Developer, **fields) -> tuple[AIModel, str]:
    """Create a listing with a fresh API key. Returns the model and the plain key, shown once."""
    key = keys.generate_model_key()
    model = AIModel(
        developer=developer, api_key=keys.hash_key(key), api_key_prefix=keys.display_prefix(key), **fields
    )
    model.full_clean()
    model.save()
    return model, key


@transaction.atomic
def model_api_key_rotate(*, model: AIModel) -> str:
    """Replace the model's key; the old key stops working when this commits. Returns the new plain key."""
    key = keys.generate_model_key()
    model.api_key = keys.hash_key(key)
    model.api_key_prefix = keys.display_prefix(key)
    model.save(update_fields=["api_key", "api_key_prefix", "updated_at"])
    return key
