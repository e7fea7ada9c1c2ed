"""The session's user comes with their developer profile, in the one query that loads the user."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def user_queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [
        q["sql"]
        for q in captured.captured_queries
        if '"developers"' in q["sql"] or 'FROM "users"' in q["sql"]
    ]


def test_a_developers_header_and_dashboard_read_the_profile_with_the_user(client, dana):
    client.force_login(dana.user)

    queries = user_queries(client, "/dashboard/")

    assert len([q for q in queries if 'FROM "users"' in q]) == 1
    assert 'JOIN "developers"' in queries[0]
    assert not [q for q in queries if q.startswith('SELECT "developers"')]
    assert 'href="/dashboard/">Dashboard</a>' in client.get("/me/").content.decode()


def test_a_user_without_a_profile_costs_no_query_to_ask(client, alice):
    client.force_login(alice)

    queries = user_queries(client, "/me/")

    assert len(queries) == 1
    assert "Dashboard</a>" not in client.get("/me/").content.decode()


def test_a_suspended_users_session_ends(client, alice):
    client.force_login(alice)
    alice.status = "suspended"
    alice.save()

    response = client.get("/me/")

    assert response.status_code == 302
