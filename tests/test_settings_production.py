"""Production settings pass Django's deployment checks, and a missing SECRET_KEY stops start-up loudly.

Each case runs manage.py in a fresh process with only the environment a deployment would give it.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# A URL is needed to configure the database; `check` never connects to it.
UNUSED_DATABASE = "postgres://postgres@127.0.0.1:1/unused"


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": UNUSED_DATABASE} | environment
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_checks_report_nothing_with_debug_off():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="models.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_start_up_fails_clearly_without_a_secret_key_when_debug_is_off():
    result = manage("check", DEBUG="0")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set." in result.stderr


def test_debug_defaults_to_off():
    result = manage("check")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


PRINT_DATABASE = (
    "from django.db import connection; connection.ensure_connection(); "
    "db = connection.settings_dict; "
    "print(db['CONN_MAX_AGE'], db['OPTIONS'].get('pool'), connection.cursor().connection.execute('SELECT 1').fetchone()[0])"
)


@pytest.mark.django_db
def test_database_connections_are_pooled_by_default_and_persistent_without_the_pool():
    url = database_url()
    pooled = manage("shell", "-v", "0", "-c", PRINT_DATABASE, DEBUG="1", DATABASE_URL=url)
    persistent = manage(
        "shell", "-v", "0", "-c", PRINT_DATABASE, DEBUG="1", DATABASE_URL=url, DB_POOL_SIZE="0"
    )

    assert pooled.returncode == 0, pooled.stderr
    assert pooled.stdout.split() == [
        "0",
        "{'min_size':",
        "2,",
        "'max_size':",
        "10,",
        "'timeout':",
        "10.0}",
        "1",
    ]
    assert persistent.returncode == 0, persistent.stderr
    assert persistent.stdout.split() == ["60", "None", "1"]
