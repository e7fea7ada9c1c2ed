"""Schemathesis against the published contract: every operation of /api/v1/openapi.json, called over HTTP
on the live test server with a personal key, never answers 5xx, and every answer matches the document
(status, content type, headers, body schema; 405 with Allow for other methods; schema-valid requests
accepted, schema-violating ones refused).

The document is the one the site serves, read from the API object at collection, so that schemathesis's
pytest integration makes one test per operation. Generated path and body values name a real model half the
time (schemathesis dictionaries), so calls get past the 404 and reach the body checks, the quota and the
upstream. A fixed seed and a bounded number of examples keep the run under a minute; for a longer hunt:
AMP_SCHEMATHESIS_EXAMPLES=500 AMP_SCHEMATHESIS_SEED=7 make test PYTEST_ARGS=activity/tests/test_api_schemathesis.py
"""

import os
from base64 import b64encode

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from accounts import keys
from accounts.tests.factories import UserApiKeyFactory
from activity.api import api
from catalog.tests.factories import AIModelFactory

EXAMPLES = int(os.environ.get("AMP_SCHEMATHESIS_EXAMPLES", 25))
SEED = int(os.environ.get("AMP_SCHEMATHESIS_SEED", 13))
MODELS = ["demo-echo", "demo-chat"]
KEY = keys.generate_personal_key()

schema = schemathesis.openapi.from_dict(
    api.get_openapi_schema(),
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # No example database: each run is the seed's, on any machine.
            "generation": {"max-examples": EXAMPLES, "database": "none"},
            "auth": {"openapi": {"bearerAuth": {"bearer": KEY}}},
            "dictionaries": {
                "models": {"values": MODELS},
                "embed": {"values": ["demo-embed"]},
                "draw": {"values": ["demo-draw"]},
                "speak": {"values": ["demo-speak"]},
            },
            "parameters": {
                "path.api_name": {"dictionary": "models", "probability": 0.5},
                "body.model": {"dictionary": "models", "probability": 0.5},
            },
            "operations": [
                # Each media endpoint calls a model of its kind half the time (another kind is a 400
                # unsupported_kind: a rule of the data, which no schema states).
                *[
                    {
                        "include-path": path,
                        "parameters": {"body.model": {"dictionary": name, "probability": 0.5}},
                    }
                    for path, name in [
                        ("/api/v1/embeddings", "embed"),
                        ("/api/v1/images/generations", "draw"),
                        ("/api/v1/audio/speech", "speak"),
                    ]
                ],
                {
                    # The file's bytes must be audio, which no schema can state: generated ones are refused
                    # (400 invalid_media). Its schema-violating cases still run, and must not be a 5xx.
                    "include-path": "/api/v1/audio/transcriptions",
                    "checks": {"positive_data_acceptance": {"enabled": False}},
                },
                {
                    "include-path": "/api/v1/models",
                    "include-method": "GET",
                    # A page past the last is a 400 (test_api_models.py): a bound that depends on the
                    # data, which no schema can state.
                    "parameters": {"page": 1},
                    # A query string cannot tell a one-element array from a string, or an object from
                    # repeated keys: schemathesis's type mutations of query parameters are no change on
                    # the wire. Negative cases still run, and must still not be a 5xx.
                    "checks": {"negative_data_rejection": {"enabled": False}},
                },
            ],
        }
    ),
)


@schema.hook
def map_body(context, body):
    # Streamed answers (text/event-stream) have tests of their own; schemathesis checks the JSON ones.
    if isinstance(body, dict) and body.get("stream") is True:
        body["stream"] = False
    # An input's bytes must be what its type says, which no schema states: generated inputs become text
    # files (every model takes text) of the generated data, so the call still carries inputs.
    # Only inputs the schema accepts are rewritten, so a negative case keeps what makes it negative.
    if isinstance(body, dict) and isinstance(body.get("inputs"), list):
        body["inputs"] = [_as_text_file(item) for item in body["inputs"]]
    # Likewise a message's image and audio parts (the models here take text): they become text parts.
    if isinstance(body, dict) and isinstance(body.get("messages"), list):
        for message in body["messages"]:
            if isinstance(message, dict) and isinstance(message.get("content"), list):
                message["content"] = [_as_text_part(part) for part in message["content"]]
    return body


def _as_text_part(part):
    if (
        isinstance(part, dict)
        and part.get("type") in ("image_url", "input_audio")
        and isinstance(part.get(part["type"]), dict)
    ):
        return {"type": "text", "text": "a file"}
    return part


def _as_text_file(item):
    valid = (
        isinstance(item, dict)
        and set(item) <= {"type", "mime", "data"}
        and item.get("type") in ("image", "audio", "text")
        and isinstance(item.get("data"), str)
        and item["data"]
        and (item.get("mime") is None or isinstance(item["mime"], str) and len(item["mime"]) <= 100)
    )
    if not valid:
        return item
    text = item["data"].replace("\x00", "") or "x"  # a text input is UTF-8 without NUL, as prompts are
    return {"type": "text", "data": b64encode(text.encode("utf-8", "replace")).decode()}


@pytest.fixture
def base_url(live_server, upstream, dana, alice):
    """Served models on the demo upstream (text, chat, and one per media endpoint), and alice holding KEY."""
    UserApiKeyFactory(user=alice, key=KEY)
    AIModelFactory(developer=dana, api_name="demo-echo", endpoint_url=f"{upstream.url}/echo")
    AIModelFactory(developer=dana, api_name="demo-chat", endpoint_url=f"{upstream.url}/chat/completions")
    for api_name, category, path in [
        ("demo-embed", "embeddings", "/v1/embeddings"),
        ("demo-draw", "image_generation", "/v1/images/generations"),
        ("demo-speak", "text_to_speech", "/v1/audio/speech"),
    ]:
        AIModelFactory(
            developer=dana, api_name=api_name, category=category, endpoint_url=f"{upstream.url}{path}"
        )
    return live_server.url


@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_published_contract(case, base_url):
    case.call_and_validate(base_url=base_url)
