"""The models and the migrations agree: nothing is left for makemigrations to write."""

import pytest
from django.core.management import call_command


def test_makemigrations_finds_nothing_to_do(db):
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exit:
        pytest.fail(
            f"makemigrations --check found changes (exit {exit.code}); run makemigrations --name <intent>"
        )
