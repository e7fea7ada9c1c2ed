"""Fixtures the dashboard's tests share."""

import pytest


@pytest.fixture
def signed_in(client, dana):
    """The test client, signed in as dana, the developer whose dashboard the tests read."""
    client.force_login(dana.user)
    return client
