"""activity.gateway.rows: a call's reads cost one round trip, and a dropped connection still costs nothing.

Django checks a persistent connection with `SELECT 1` before a request's first query; the gateway's reads
are that check themselves. These tests run outside a test transaction (transaction=True), as requests do.
"""

import psycopg
import pytest
from django.db import connection, connections

from accounts import keys
from activity.gateway import rows
from activity.models import ApiUsageLog
from activity.tests.helpers import invoke
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def echo_model(dana, upstream):
    return AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo")


@pytest.fixture
def health_checks(monkeypatch):
    """Counts Django's connection checks (`SELECT 1`), and makes the next query the request's first."""
    wrapper = connections["default"]
    wrapper.ensure_connection()
    assert wrapper.health_check_enabled, "CONN_HEALTH_CHECKS is on in settings"
    seen = []
    original = wrapper.is_usable

    def is_usable():
        seen.append(True)
        return original()

    monkeypatch.setattr(wrapper, "is_usable", is_usable)
    wrapper.health_check_done = False
    return seen


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def drop_connection() -> int:
    """Terminate this test's database connection from another one, as a server restart would."""
    pid = backend_pid()
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    return pid


def test_the_first_read_of_a_request_is_its_own_health_check(echo_model, alice_key, health_checks):
    model, api_key = rows.call_rows(api_name="echo", key_hash=keys.hash_key(alice_key))

    assert (model, api_key.key_hash) == (echo_model, keys.hash_key(alice_key))
    assert health_checks == []
    assert connections["default"].health_check_done  # the request's later queries skip it too


def test_a_read_on_a_connection_the_server_dropped_reconnects_and_reads_again(echo_model, health_checks):
    dropped = drop_connection()
    connections["default"].health_check_done = False  # a new request on the persistent connection
    health_checks.clear()

    model, _ = rows.call_rows(api_name="echo", key_hash=None)

    assert model == echo_model
    assert health_checks == [True]  # asked only once the read had failed
    assert backend_pid() != dropped


def test_a_call_on_a_dropped_connection_is_answered_and_logged(client, echo_model, alice_key, health_checks):
    drop_connection()
    connections["default"].health_check_done = False

    response = invoke(client, "echo", {"prompt": "still there?"}, alice_key)

    assert response.status_code == 200, response.content
    assert response.json()["response"] == "still there?"
    assert ApiUsageLog.objects.filter(model=echo_model, response_code=200).count() == 1


def test_a_call_on_a_live_connection_makes_no_health_check(client, echo_model, alice_key, health_checks):
    response = invoke(client, "echo", {"prompt": "hello"}, alice_key)

    assert response.status_code == 200, response.content
    assert health_checks == []
