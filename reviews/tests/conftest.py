"""Fixtures the reviews' tests share."""

import pytest

from reviews.tests.factories import ModelReviewFactory


@pytest.fixture
def review(model, alice):
    """alice's review of dana's model (a module that needs other ratings or text makes its own)."""
    return ModelReviewFactory(model=model, user=alice)
