"""Fixtures the gateway's tests share."""

from decimal import Decimal
from pathlib import Path

import openai
import pytest

from accounts import keys
from accounts.tests.factories import UserApiKeyFactory
from catalog.tests.factories import AIModelFactory


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


# Models of each kind at the demo upstream's media routes, and the call_media storage in a folder of the
# test's own (the playground's tests per kind).


@pytest.fixture
def call_media_root(settings, tmp_path) -> Path:
    """The call_media storage on disk, in a folder of the test's own."""
    root = tmp_path / "call-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "call_media": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def _kind_model(dana, upstream, category: str, path: str, api_name: str):
    return AIModelFactory(
        developer=dana,
        api_name=api_name,
        display_name=api_name.title(),
        category=category,
        endpoint_url=f"{upstream.url}{path}",
        price_per_request=Decimal("0.0100"),
    )


@pytest.fixture
def painter(dana, upstream):
    return _kind_model(dana, upstream, "image_generation", "/v1/images/generations", "painter")


@pytest.fixture
def looker(dana, upstream):
    return _kind_model(dana, upstream, "multimodal", "/caption", "looker")


@pytest.fixture
def speaker(dana, upstream):
    return _kind_model(dana, upstream, "text_to_speech", "/v1/audio/speech", "speaker")


@pytest.fixture
def listener(dana, upstream):
    return _kind_model(dana, upstream, "speech_to_text", "/v1/audio/transcriptions", "listener")


@pytest.fixture
def embedder(dana, upstream):
    return _kind_model(dana, upstream, "embeddings", "/v1/embeddings", "embedder")


@pytest.fixture
def sorter(dana, upstream):
    return _kind_model(dana, upstream, "classification", "/classify", "sorter")
