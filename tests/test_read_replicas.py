"""Read replicas against a real streaming replica: a primary and a pg_basebackup standby that the suite
starts with PostgreSQL's own tools (tests/pgcluster.py), and the site as the Procfile's web: line starts it,
with DATABASE_URL naming the primary and DATABASE_REPLICA_URLS the standby.

To tell which server answered, the standby's replay is paused (pg_wal_replay_pause) while the primary
changes: what a page shows then says where it read. Shown here:
- an anonymous page and the API's catalog listing are read from the replica;
- read-your-writes: a user who writes sees it on their next pages while the replica lags, others do not,
  and after REPLICA_PIN_SECONDS the user reads the replica again;
- the gateway's checks read the primary: a key made a moment ago works at once, the quota lets exactly
  its number of calls through and the credit balance is exact;
- with the standby stopped, pages still answer, from the primary.

Skipped with a message where PostgreSQL's binaries are missing; required where REQUIRE_PG_TOOLS is set (CI).
"""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from activity.tests.helpers import running_upstream
from tests.pgcluster import StreamingPair, ToolsMissing, find_bindir, free_ports, streaming_pair
from tests.processes import free_port, web_command

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "amp"
PIN_SECONDS = 3
QUOTA = 3
PRICE = Decimal("0.2500")
PASSWORD = "replica-pass-4821"

# Rows the site is started with: two verified users, and a developer with a priced public model whose monthly
# quota is QUOTA calls. Printed back as JSON.
SEED = """
import json
from decimal import Decimal
from accounts.tests.factories import DeveloperFactory, UserFactory
from catalog.tests.factories import AIModelFactory
alice = UserFactory(username="alice", email="alice@example.com", password={password!r})
bob = UserFactory(username="bob", email="bob@example.com", password={password!r})
dana = DeveloperFactory(username="dana", api_quota={quota})
model = AIModelFactory(developer=dana, api_name="replica-echo", display_name="Replica Echo",
                       endpoint_url={endpoint!r}, price_per_request=Decimal({price!r}))
print(json.dumps({{"model": model.api_name}}))
"""


def pair_or_skip() -> Iterator[StreamingPair]:
    try:
        find_bindir()
        free_ports(2)
    except ToolsMissing as exc:
        if os.environ.get("REQUIRE_PG_TOOLS"):
            pytest.fail(f"PostgreSQL's tools are required (REQUIRE_PG_TOOLS) but {exc}.")
        pytest.skip(f"These tests start a primary and a streaming standby, but {exc}.")
    with streaming_pair() as pair:
        yield pair


@pytest.fixture(scope="session")
def pair() -> Iterator[StreamingPair]:
    yield from pair_or_skip()


def manage(*args: str, database_url: str, timeout: float = 300) -> str:
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url, "DATABASE_REPLICA_URLS": ""}
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@dataclass
class Site:
    url: str
    pair: StreamingPair
    model: str

    def primary(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.pair.primary.query(sql, params, DATABASE)

    def standby(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.pair.standby.query(sql, params, DATABASE)

    def browser(self) -> httpx.Client:
        return httpx.Client(timeout=30, follow_redirects=True)

    def sign_in(self, username: str) -> httpx.Client:
        session = httpx.Client(timeout=30, follow_redirects=True)
        session.get(f"{self.url}/accounts/login/", timeout=30)
        answer = session.post(
            f"{self.url}/accounts/login/",
            follow_redirects=False,
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"Referer": f"{self.url}/accounts/login/"},
            timeout=30,
        )
        assert answer.status_code == 302, answer.text[-2000:]
        return session

    def page(self, session: httpx.Client, path: str) -> str:
        answer = session.get(f"{self.url}{path}", timeout=30)
        assert answer.status_code == 200, answer.text[-2000:]
        return answer.text

    def post(self, session: httpx.Client, path: str, data: dict) -> httpx.Response:
        return session.post(
            f"{self.url}{path}",
            data={**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": f"{self.url}{path}"},
            timeout=30,
        )

    def call(self, key: str) -> httpx.Response:
        return httpx.post(
            f"{self.url}/api/v1/models/{self.model}/invoke",
            json={"prompt": "Say something."},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )


@pytest.fixture(scope="module")
def site(pair, tmp_path_factory) -> Iterator[Site]:
    pair.create_database(DATABASE)
    database_url = pair.primary.url(DATABASE)
    manage("migrate", "--noinput", database_url=database_url)
    with running_upstream() as upstream:
        seed = SEED.format(password=PASSWORD, quota=QUOTA, endpoint=f"{upstream.url}/echo", price=str(PRICE))
        seeded = json.loads(manage("shell", "-c", seed, database_url=database_url).strip().splitlines()[-1])
        pair.wait_replayed()
        port = free_port()
        log = tmp_path_factory.mktemp("replicas") / "web.log"
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": database_url,
            "DATABASE_REPLICA_URLS": pair.standby.url(DATABASE),
            "REPLICA_PIN_SECONDS": str(PIN_SECONDS),
            "ANONYMOUS_PAGE_CACHE_SECONDS": "0",
            "DB_POOL_SIZE": "4",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
            "LOG_LEVEL": "WARNING",
        }
        with log.open("wb") as output:
            process = subprocess.Popen(
                web_command(), cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url, process, log)
            yield Site(url=url, pair=pair, model=seeded["model"])
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise AssertionError(f"The web process exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"The web process did not answer /healthz:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


@pytest.fixture
def paused(site) -> Iterator[Site]:
    """The standby caught up, then its replay paused for the test; resumed and caught up after it."""
    site.pair.wait_replayed()
    site.pair.pause_replay()
    try:
        yield site
    finally:
        site.pair.resume_replay()
        site.pair.wait_replayed()


def catalog_names(site: Site) -> list[str]:
    answer = httpx.get(f"{site.url}/api/v1/models", timeout=30)
    assert answer.status_code == 200, answer.text
    return [entry["display_name"] for entry in answer.json()["data"]]


def test_an_anonymous_page_and_the_api_listing_are_read_from_the_replica(paused):
    site = paused
    site.primary(
        "UPDATE models SET display_name = 'Renamed On The Primary' WHERE api_name = %s", (site.model,)
    )
    assert site.primary("SELECT display_name FROM models WHERE api_name = %s", (site.model,)) == [
        ("Renamed On The Primary",)
    ]

    visitor = site.browser()
    page = site.page(visitor, f"/models/{site.model}/")
    assert "Replica Echo" in page and "Renamed On The Primary" not in page
    assert catalog_names(site) == ["Replica Echo"]

    site.pair.resume_replay()
    site.pair.wait_replayed()
    page = site.page(visitor, f"/models/{site.model}/")
    assert "Renamed On The Primary" in page and "Replica Echo" not in page
    assert catalog_names(site) == ["Renamed On The Primary"]


def test_a_user_reads_their_own_writes_while_the_replica_lags_and_then_the_replica_again(site):
    alice = site.sign_in("alice")
    bob = site.sign_in("bob")
    time.sleep(PIN_SECONDS + 0.5)  # signing in wrote the session: past its pin, both read the replica
    site.pair.wait_replayed()
    site.pair.pause_replay()
    try:
        review = {
            "rating": "4",
            "review_title": "Written while the replica lags",
            "review_text": "Fast enough.",
        }
        answer = site.post(alice, f"/models/{site.model}/reviews/new/", review)
        assert answer.status_code == 200 and answer.history, answer.text[-2000:]  # redirected after the POST
        assert "Written while the replica lags" in answer.text  # the redirect's page read the primary
        assert site.standby("SELECT count(*) FROM model_reviews") == [(0,)]

        assert "Written while the replica lags" in site.page(alice, f"/models/{site.model}/reviews/")
        assert "Written while the replica lags" not in site.page(bob, f"/models/{site.model}/reviews/")
        assert "Written while the replica lags" not in site.page(
            site.browser(), f"/models/{site.model}/reviews/"
        )

        time.sleep(PIN_SECONDS + 0.5)
        assert "Written while the replica lags" not in site.page(alice, f"/models/{site.model}/reviews/")
    finally:
        site.pair.resume_replay()
        site.pair.wait_replayed()
    assert "Written while the replica lags" in site.page(bob, f"/models/{site.model}/reviews/")


def test_the_gateway_checks_keys_quota_and_credits_on_the_primary(site):
    alice = site.sign_in("alice")
    site.pair.wait_replayed()
    site.pair.pause_replay()
    try:
        answer = site.post(alice, "/me/keys/new/", {"name": "made while the replica lags"})
        assert answer.status_code == 200, answer.text[-2000:]
        key = re.search(r"amp_pk_[A-Za-z0-9_-]+", answer.text).group(0)
        assert site.standby(
            "SELECT count(*) FROM user_api_keys WHERE name = 'made while the replica lags'"
        ) == [(0,)]
        (balance_before,) = site.primary("SELECT credit_balance FROM users WHERE username = 'alice'")[0]

        statuses = [site.call(key).status_code for _ in range(QUOTA + 2)]
        assert statuses == [200] * QUOTA + [429, 429]
        usage = httpx.get(f"{site.url}/api/v1/key", headers={"Authorization": f"Bearer {key}"}, timeout=30)
        assert usage.status_code == 200, usage.text
        assert Decimal(str(usage.json()["balance"])) == balance_before - QUOTA * PRICE
        assert usage.json()["used"] == QUOTA

        calls = "SELECT coalesce(sum(calls), 0) FROM developer_monthly_usage"
        assert site.primary(calls) == [(QUOTA,)]
        assert site.standby(calls) == [(0,)]
        assert site.standby("SELECT credit_balance FROM users WHERE username = 'alice'") == [
            (balance_before,)
        ]
    finally:
        site.pair.resume_replay()
        site.pair.wait_replayed()


def test_pages_answer_from_the_primary_while_the_replica_is_down(site):
    site.page(site.browser(), f"/models/{site.model}/")  # the replica's pool holds connections
    site.pair.stop_standby()
    try:
        site.primary(
            "UPDATE models SET display_name = 'Renamed While Replica Down' WHERE api_name = %s", (site.model,)
        )
        for _ in range(3):
            page = site.page(site.browser(), f"/models/{site.model}/")
            assert "Renamed While Replica Down" in page
        assert catalog_names(site) == ["Renamed While Replica Down"]
    finally:
        site.pair.start_standby()
        site.pair.wait_replayed()
