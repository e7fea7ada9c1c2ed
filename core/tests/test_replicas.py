"""core.replicas: which database a request's reads go to, decided by ReplicaMiddleware and ReplicaRouter.

These run the middleware around a small view that asks the router where a read and a write would go; the
real streaming replica is in tests/test_read_replicas.py. Settings with replicas are read in a process of
their own (the suite's settings have none)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.models import User
from activity.gateway.call import ApiCall
from core import replicas
from core.replicas import PIN_SALT, ReplicaMiddleware, ReplicaRouter, read_alias

ROOT = Path(__file__).resolve().parents[2]
router = ReplicaRouter()


def serve(request, view=None) -> tuple[HttpResponse, list[str]]:
    """The request through ReplicaMiddleware (with one replica) to `view(request, seen)`, which notes in
    `seen` where it read; by default it reads, writes, and reads again."""
    seen: list[str] = []
    middleware = ReplicaMiddleware(lambda request: (view or read_write_read)(request, seen))
    middleware.replicas = ["replica_1"]
    return middleware(request), seen


def read_write_read(request, seen):
    seen.append(router.db_for_read(User))
    seen.append(router.db_for_write(User))
    seen.append(router.db_for_read(User))
    return HttpResponse("ok")


def reads_only(request, seen):
    seen.append(router.db_for_read(User))
    return HttpResponse("ok")


def pin_cookie() -> str:
    return signing.TimestampSigner(salt=PIN_SALT).sign("primary")


@pytest.fixture
def rf():
    return RequestFactory()


@pytest.fixture(autouse=True)
def _replica_answers(monkeypatch):
    """The suite has no replica to connect to: here the first one named always answers (what happens when
    one does not is in tests/test_read_replicas.py)."""
    monkeypatch.setattr(replicas, "usable_replica", lambda aliases: aliases[0])


def test_a_page_read_goes_to_a_replica_and_the_reads_after_a_write_to_the_primary(rf):
    _, seen = serve(rf.get("/models/"))
    assert seen == ["replica_1", DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS]


def test_a_request_that_wrote_pins_its_client_with_a_signed_cookie(rf, settings):
    request = rf.get("/me/")
    request.COOKIES["sessionid"] = "x"
    response, _ = serve(request)
    cookie = response.cookies[settings.REPLICA_PIN_COOKIE]
    assert cookie["max-age"] == settings.REPLICA_PIN_SECONDS
    assert cookie["httponly"]
    signing.TimestampSigner(salt=PIN_SALT).unsign(cookie.value, max_age=settings.REPLICA_PIN_SECONDS)


def test_a_request_that_only_read_sets_no_cookie(rf, settings):
    request = rf.get("/models/")
    request.COOKIES["sessionid"] = "x"
    response, seen = serve(request, reads_only)
    assert seen == ["replica_1"]
    assert settings.REPLICA_PIN_COOKIE not in response.cookies


def test_a_client_that_sends_no_cookies_gets_none(rf, settings):
    response, _ = serve(rf.post("/api/v1/chat/completions"))
    assert settings.REPLICA_PIN_COOKIE not in response.cookies


def test_a_post_reads_the_primary_from_its_start_and_pins_its_client(rf, settings):
    request = rf.post("/me/keys/")
    request.COOKIES["csrftoken"] = "x"
    response, seen = serve(request, reads_only)
    assert seen == [DEFAULT_DB_ALIAS]
    assert settings.REPLICA_PIN_COOKIE in response.cookies


def test_a_pinned_client_reads_the_primary(rf, settings):
    request = rf.get("/models/")
    request.COOKIES[settings.REPLICA_PIN_COOKIE] = pin_cookie()
    assert serve(request, reads_only)[1] == [DEFAULT_DB_ALIAS]


def test_a_pin_older_than_the_setting_or_forged_is_ignored(rf, settings):
    settings.REPLICA_PIN_SECONDS = -1  # every pin is older than that
    request = rf.get("/models/")
    request.COOKIES[settings.REPLICA_PIN_COOKIE] = pin_cookie()
    assert serve(request, reads_only)[1] == ["replica_1"]

    settings.REPLICA_PIN_SECONDS = 5
    request = rf.get("/models/")
    request.COOKIES[settings.REPLICA_PIN_COOKIE] = pin_cookie()[:-2] + "xx"
    assert serve(request, reads_only)[1] == ["replica_1"]


@pytest.mark.parametrize(
    ("path", "alias"),
    [
        ("/", "replica_1"),
        ("/me/history/", "replica_1"),
        ("/api/v1/models", "replica_1"),
        ("/api/v1/models/dana-summarizer", "replica_1"),
        ("/api/v1/openapi.json", "replica_1"),
        ("/api/v1/key", DEFAULT_DB_ALIAS),
        ("/api/v1/history", DEFAULT_DB_ALIAS),
        ("/admin/accounts/user/", DEFAULT_DB_ALIAS),
        ("/healthz", DEFAULT_DB_ALIAS),
    ],
)
def test_safe_requests_read_a_replica_but_under_the_primary_paths(rf, path, alias):
    assert serve(rf.get(path), reads_only)[1] == [alias]
    assert serve(rf.head(path), reads_only)[1] == [alias]


def test_an_api_call_reads_the_primary_whatever_its_path(rf):
    def view(request, seen):
        ApiCall(request)
        seen.append(router.db_for_read(User))
        return HttpResponse("ok")

    assert serve(rf.get("/api/v1/models"), view)[1] == [DEFAULT_DB_ALIAS]


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_go_to_the_primary(rf):
    def view(request, seen):
        seen.append(read_alias())
        with transaction.atomic():
            seen.append(read_alias())
        seen.append(read_alias())
        return HttpResponse("ok")

    assert serve(rf.get("/"), view)[1] == ["replica_1", DEFAULT_DB_ALIAS, "replica_1"]


def test_outside_a_request_everything_goes_to_the_primary():
    assert router.db_for_read(User) == DEFAULT_DB_ALIAS
    assert read_alias() == DEFAULT_DB_ALIAS


def test_a_row_read_from_a_replica_is_saved_to_the_primary():
    user = User(username="carol")
    user._state.db = "replica_1"
    assert router.db_for_write(User, instance=user) == DEFAULT_DB_ALIAS
    assert router.allow_relation(user, User(username="dave"))


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "accounts")
    assert not router.allow_migrate("replica_1", "accounts")


def test_the_settings_make_an_alias_per_replica_url_with_a_pool_like_the_primarys():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'aliases': list(s.DATABASES), 'routers': s.DATABASE_ROUTERS,"
        " 'middleware': 'core.replicas.ReplicaMiddleware' in s.MIDDLEWARE, 'databases': s.DATABASES}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
        "DATABASE_REPLICA_URLS": "postgres://postgres@10.0.0.2:5432/amp,postgres://u:p@10.0.0.3:6432/amp?sslmode=require",
        "DB_POOL_SIZE": "7",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["aliases"] == ["default", "replica_1", "replica_2"]
    assert got["routers"] == ["core.replicas.ReplicaRouter"]
    assert got["middleware"]
    primary, first, second = (got["databases"][alias] for alias in got["aliases"])
    assert (first["HOST"], first["PORT"], first["NAME"], first["USER"]) == (
        "10.0.0.2",
        5432,
        "amp",
        "postgres",
    )
    assert (second["HOST"], second["PORT"], second["USER"], second["PASSWORD"]) == (
        "10.0.0.3",
        6432,
        "u",
        "p",
    )
    assert second["OPTIONS"]["sslmode"] == "require" and "sslmode" not in first["OPTIONS"]
    for replica in (first, second):
        assert replica["OPTIONS"]["pool"] == {**primary["OPTIONS"]["pool"], "timeout": 2.0}
        assert replica["OPTIONS"]["pool"]["max_size"] == 7
        assert replica["CONN_HEALTH_CHECKS"] and replica["CONN_MAX_AGE"] == 0
        assert replica["TEST"]["MIRROR"] == "default"
    assert primary["TEST"]["MIRROR"] is None


@pytest.mark.skipif(bool(os.environ.get("DATABASE_REPLICA_URLS")), reason="this run has replicas")
def test_without_replicas_there_is_no_router_and_no_middleware(settings):
    assert list(settings.DATABASES) == [DEFAULT_DB_ALIAS]
    assert settings.DATABASE_ROUTERS == []
    assert "core.replicas.ReplicaMiddleware" not in settings.MIDDLEWARE
