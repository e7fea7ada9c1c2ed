"""Fixtures the favourites' tests share."""

import pytest

from catalog.tests.factories import AIModelFactory
from favourites.tests.factories import CollectionFactory


@pytest.fixture
def other_model(eve):
    return AIModelFactory(developer=eve, api_name="eve-writer", display_name="Eve Writer")


@pytest.fixture
def collection(alice):
    """alice's private collection."""
    return CollectionFactory(user=alice, title="Summaries", is_public=False)
