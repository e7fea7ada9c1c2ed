"""Benchmark-scale data in the test database, for tests that hold what keeps the site fast.

The seed writes with its own connection and commits, so a module seeds once and every test of the module
reads the same rows; the tables are emptied again when the module is done.
"""

from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from bench import seed_scale


def database_conninfo() -> str:
    settings = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or None,
        port=str(settings["PORT"]) if settings.get("PORT") else None,
    )


def empty_seeded_tables(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(seed_scale.SEEDED_TABLES)} CASCADE")


@pytest.fixture(scope="module")
def seeded_conninfo(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The test database seeded at a scale whose statistics lead the planner as the full data does:
    5,000 models (the catalog), 100,000 usage logs, 20,000 history rows."""
    with django_db_blocker.unblock():
        conninfo = database_conninfo()
    seed_scale.seed(conninfo, scale=0.01, overrides={"models": 5_000}, force=True, log=lambda line: None)
    yield conninfo
    empty_seeded_tables(conninfo)
