"""Fixtures the gateway's tests share."""

import pytest

from accounts import keys
from accounts.tests.factories import UserApiKeyFactory


@pytest.fixture
def alice_key(alice) -> str:
    """A personal API key of alice's, in plain text (test_api_invoke names its own)."""
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=alice, key=plain)
    return plain


@pytest.fixture
def model_key() -> str:
    """A new model key in plain text, for a model made with key=model_key."""
    return keys.generate_model_key()
