"""Fixtures the gateway's tests share."""

import openai
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


@pytest.fixture
def openai_client(live_server):
    """Makes openai clients for the live server and closes them after the test: a client's open keep-alive
    connection keeps a live-server thread, and that thread's database connection, alive to the end of the
    run, where it stops the test database from being dropped."""
    clients = []

    def make(api_key: str) -> openai.OpenAI:
        client = openai.OpenAI(base_url=f"{live_server.url}/api/v1", api_key=api_key, max_retries=0)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
