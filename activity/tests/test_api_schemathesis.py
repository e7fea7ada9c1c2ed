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
            "dictionaries": {"models": {"values": MODELS}},
            "parameters": {
                "path.api_name": {"dictionary": "models", "probability": 0.5},
                "body.model": {"dictionary": "models", "probability": 0.5},
            },
            "operations": [
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
                }
            ],
        }
    ),
)


@schema.hook
def map_body(context, body):
    # Streamed answers (text/event-stream) have tests of their own; schemathesis checks the JSON ones.
    if isinstance(body, dict) and body.get("stream") is True:
        body["stream"] = False
    return body


@pytest.fixture
def base_url(live_server, upstream, dana, alice):
    """Two served models on the demo upstream, and alice holding KEY."""
    UserApiKeyFactory(user=alice, key=KEY)
    AIModelFactory(developer=dana, api_name="demo-echo", endpoint_url=f"{upstream.url}/echo")
    AIModelFactory(developer=dana, api_name="demo-chat", endpoint_url=f"{upstream.url}/chat/completions")
    return live_server.url


@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_published_contract(case, base_url):
    case.call_and_validate(base_url=base_url)
