"""Two hosts: two app servers (separate gunicorn processes, each with its own pools) on one PostgreSQL
primary, one streaming replica and Redis, as the README's "Scaling past one machine" describes.

    .venv/bin/python -m bench.two_hosts [--duration 5] [--quota 500]    # or from bench/run.py (--two-hosts)

1. Starts a primary and a pg_basebackup standby of its own in a scratch folder (tests/pgcluster.py), seeds
   the primary small (bench/seed_scale.py at --scale, 0.001: 20 models, 10,000 usage logs) and runs
   bench/prepare.py on it. The benchmark's own databases are not touched.
2. Starts the Procfile's web: line twice, on two ports, one worker each, both with DATABASE_URL the primary,
   DATABASE_REPLICA_URLS the standby, CACHE_URL Redis database 12 and one SECRET_KEY, production settings.
3. Throughput: a catalog page (its reads on the replica; the visitors' page cache off, so that each request
   reads) and a gateway call (key, quota and credits on the primary), with wrk against one host and then
   against both at once, the same number of connections in all, in alternating rounds.
4. The quota: the popular model's developer gets a monthly quota of --quota calls, and wrk calls it from
   both hosts at once for --duration seconds, far more calls than that. Exactly --quota must be answered 200
   across the hosts, every other one 429, and the developer's counter must read --quota.

On a two-core machine the two hosts share the cores with wrk, both PostgreSQL servers and Redis: the row
shows that the quota stays exact across processes and pools more than it shows a speed-up.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.run import (  # noqa: E402
    PYTHON,
    Load,
    Measure,
    Processes,
    Row,
    combine,
    ensure_database,
    free_port,
    procfile_command,
    server_env,
    wait_for,
)
from tests.pgcluster import StreamingPair, ToolsMissing, streaming_pair  # noqa: E402

DATABASE = "amp_two_hosts"
REDIS_URL = "redis://127.0.0.1:6379/12"
ROUNDS = 2
PROMPT = "Summarize the quarterly report about pricing in three bullet points."


@dataclass
class Throughput:
    label: str
    one: Measure  # one host, all the connections
    two: Measure  # both hosts, half the connections each: requests per second summed
    primary_transactions: int  # transactions each server ran in the database meanwhile (pg_stat_database)
    standby_transactions: int

    @property
    def ratio(self) -> float:
        return self.two.rps / self.one.rps if self.one.rps else 0.0


@dataclass
class QuotaCheck:
    quota: int
    seconds: int
    answered: list[int]  # 200s per host, as wrk counted them
    refused: list[int]  # non-2xx per host
    logged_200: int  # api_usage_logs rows of the run, by status
    logged_429: int
    logged_other: int
    counter: int  # developer_monthly_usage.calls

    @property
    def exact(self) -> bool:
        return (
            sum(self.answered) == self.quota == self.logged_200 == self.counter
            and self.logged_other == 0
            and self.logged_429 >= sum(self.refused)
        )


def transactions(pair: StreamingPair) -> tuple[int, int]:
    """Transactions committed so far in the site's database on the primary and on the standby: which
    server a measure's reads went to."""
    sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s"
    # A backend reports its counts when idle, at most once a second, and one left idle within 10 s.
    time.sleep(11)
    return int(pair.primary.value(sql, (DATABASE,))), int(pair.standby.value(sql, (DATABASE,)))


def redis_answers() -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


def flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()


def both(load: Load, rows: list[Row], connections: int, duration: int) -> Measure:
    """wrk against every row's host at once, `connections` each; requests per second summed."""
    measured: list[Measure] = []
    threads = [
        threading.Thread(
            target=lambda row=row: measured.append(load.run(row, connections, duration=duration))
        )
        for row in rows
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Measure(
        sum(m.rps for m in measured),
        max(m.p50 for m in measured),
        max(m.p95 for m in measured),
        max(m.p99 for m in measured),
        sum(m.requests for m in measured),
        sum(m.errors for m in measured),
    )


def measure(
    *,
    procs: Processes,
    upstream: str,
    workdir: Path,
    say,
    duration: int = 5,
    connections: int = 8,
    quota: int = 0,
    scale: float = 0.001,
) -> tuple[list[Throughput], QuotaCheck]:
    """The row's figures (see the module's docstring). `quota` 0: a third of the calls the two hosts
    answered per `duration` in the throughput measure, so that most calls of the check are refused. Raises
    ToolsMissing where PostgreSQL's binaries or Redis are not here."""
    if not redis_answers():
        raise ToolsMissing("no Redis answers on 127.0.0.1:6379")
    with streaming_pair() as pair:
        say(f"primary on {pair.primary.port}, standby on {pair.standby.port} ({pair.root})")
        return _measure(pair, procs, upstream, workdir, say, duration, connections, quota, scale)


def _measure(
    pair: StreamingPair,
    procs: Processes,
    upstream: str,
    workdir: Path,
    say,
    duration: int,
    connections: int,
    quota: int,
    scale: float,
) -> tuple[list[Throughput], QuotaCheck]:
    pair.create_database(DATABASE)
    primary_url = pair.primary.url(DATABASE)
    secret = secrets.token_urlsafe(50)
    env = server_env(primary_url, secret, upstream)
    env.update(CACHE_URL=REDIS_URL, ANONYMOUS_PAGE_CACHE_SECONDS="0", DATABASE_REPLICA_URLS="")
    ensure_database(primary_url, scale=scale, reseed=False, env=env, say=say)
    prepared = subprocess.run(
        [PYTHON, "-m", "bench.prepare", "--upstream", upstream],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        raise SystemExit(f"bench/prepare.py failed:\n{prepared.stderr[-3000:]}")
    info = json.loads(prepared.stdout.strip().splitlines()[-1])
    pair.primary.query("VACUUM ANALYZE", database=DATABASE)
    pair.wait_replayed()
    flush_redis()

    hosts = []
    for number in (1, 2):
        port = free_port()
        host_env = {
            **env,
            "DATABASE_REPLICA_URLS": pair.standby.url(DATABASE),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
            "ACCESS_LOG": "",
        }
        log = workdir / f"two-hosts-{number}.log"
        child = procs.start(procfile_command("web", host_env), host_env, log)
        wait_for(f"http://127.0.0.1:{port}/healthz", child, 60, f"host {number}", log)
        hosts.append((f"http://127.0.0.1:{port}", child))
    say(f"two hosts: {', '.join(base for base, _ in hosts)}")

    load = Load(duration=duration, warmup=1, workdir=workdir, say=say)
    api_headers = {"Authorization": f"Bearer {info['api_key']}", "Content-Type": "application/json"}
    body = json.dumps({"prompt": PROMPT, "parameters": {}})
    kinds = [
        ("catalog", "catalog page (reads on the replica)", ["/models/"], "GET", None, {}),
        (
            "gateway",
            "gateway call (key, quota, credits on the primary)",
            [f"/api/v1/models/{info['popular']}/invoke"],
            "POST",
            body,
            api_headers,
        ),
    ]
    throughput = []
    try:
        for key, label, paths, method, data, headers in kinds:
            rows = [
                Row(f"two_hosts_{key}_{n}", f"{label}, host {n}", paths, method, data, headers, base)
                for n, (base, _) in enumerate(hosts, start=1)
            ]
            for row in rows:
                load.check(row, keep_alive=method == "POST")
            ones, twos = [], []
            before = transactions(pair)
            for number in range(1, ROUNDS + 1):
                say(f"{label}: one host, {connections} connections (round {number} of {ROUNDS})")
                ones.append(load.run(rows[0], connections))
                say(f"{label}: two hosts, {connections // 2} connections each (round {number} of {ROUNDS})")
                twos.append(both(load, rows, connections // 2, duration))
            after = transactions(pair)
            throughput.append(
                Throughput(label, combine(ones), combine(twos), after[0] - before[0], after[1] - before[1])
            )
            say(
                f"  one host {throughput[-1].one.rps:,.1f} req/s, two hosts {throughput[-1].two.rps:,.1f} req/s"
            )

        if not quota:
            quota = max(10, int(throughput[-1].two.rps * duration / 3))
        checked = _quota(pair, load, hosts, info, api_headers, body, connections, duration, quota, say)
    finally:
        for _, child in hosts:
            procs.stop(child)
        with contextlib.suppress(Exception):
            flush_redis()
    return throughput, checked


def _quota(pair, load, hosts, info, api_headers, body, connections, duration, quota, say) -> QuotaCheck:
    """The popular model's developer gets `quota` calls a month, none used; both hosts call at once."""
    for base, _ in hosts:  # the throughput measure's last calls are answered and logged before the reset
        load.settle(base)
    time.sleep(1)
    developer = f"(SELECT developer_id FROM models WHERE api_name = '{info['popular']}')"
    pair.primary.query(
        f"DELETE FROM developer_monthly_usage WHERE developer_id = {developer}", database=DATABASE
    )
    pair.primary.query(
        f"UPDATE developers SET api_quota = %s WHERE developer_id = {developer}", (quota,), DATABASE
    )
    started = pair.primary.value("SELECT clock_timestamp()", database=DATABASE)
    load.warmup = 0
    rows = [
        Row(
            f"two_hosts_quota_{n}",
            f"quota, host {n}",
            [f"/api/v1/models/{info['popular']}/invoke"],
            "POST",
            body,
            api_headers,
            base,
        )
        for n, (base, _) in enumerate(hosts, start=1)
    ]
    say(f"quota of {quota}: both hosts call for {duration} s, {connections // 2} connections each")
    measured: list[Measure] = [None, None]  # type: ignore[list-item]

    def call(index: int) -> None:
        measured[index] = load.run(rows[index], connections // 2, duration=duration)

    threads = [threading.Thread(target=call, args=(index,)) for index in range(len(rows))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(1)  # calls wrk left in flight are answered and logged
    by_status = dict(
        pair.primary.query(
            "SELECT response_code, count(*) FROM api_usage_logs l JOIN models m USING (model_id) "
            "WHERE m.api_name = %s AND l.created_at >= %s GROUP BY response_code",
            (info["popular"], started),
            DATABASE,
        )
    )
    counter = pair.primary.value(
        f"SELECT coalesce(sum(calls), 0) FROM developer_monthly_usage WHERE developer_id = {developer}",
        database=DATABASE,
    )
    checked = QuotaCheck(
        quota=quota,
        seconds=duration,
        answered=[m.requests - m.errors for m in measured],
        refused=[m.errors for m in measured],
        logged_200=by_status.pop(200, 0),
        logged_429=by_status.pop(429, 0),
        logged_other=sum(by_status.values()),
        counter=int(counter),
    )
    say(f"  {checked}")
    return checked


def table(throughput: list[Throughput], checked: QuotaCheck) -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        "### Two hosts: two app servers on one primary, one replica and Redis",
        "",
        "Each host is the Procfile's web: line with one worker and its own pools; wrk drives one host with "
        "all the connections, then both hosts with half each (`bench/two_hosts.py`). The machine's two cores "
        "also run wrk, both PostgreSQL servers and Redis: this shows correctness across hosts more than a "
        f"speed-up. Load average when measured: {load}.",
        "",
        "| request | one host, req/s | two hosts, req/s | two ÷ one | p95 one / two, ms "
        "| transactions on the primary / the replica |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in throughput:
        lines.append(
            f"| {row.label} | {row.one.rps:,.1f} | {row.two.rps:,.1f} | {row.ratio:.2f}× "
            f"| {row.one.p95:.1f} / {row.two.p95:.1f} "
            f"| {row.primary_transactions:,} / {row.standby_transactions:,} |"
        )
    total = checked.logged_200 + checked.logged_429 + checked.logged_other
    lines += [
        "",
        f"Monthly quota {checked.quota:,}, both hosts calling for {checked.seconds} s: {total:,} calls logged; "
        f"answered 200 by host 1 {checked.answered[0]:,} and host 2 {checked.answered[1]:,} "
        f"(together {sum(checked.answered):,}), {checked.logged_200:,} logged 200, {checked.logged_429:,} "
        f"logged 429, {checked.logged_other} other; the developer's counter reads {checked.counter:,}. "
        + ("Exact ✅" if checked.exact else "Not exact ❌"),
    ]
    return "\n".join(lines)


def compare(*, procs: Processes, upstream: str, workdir: Path, say, duration: int = 5) -> str:
    """The Markdown of the row for bench/run.py: the table, or a line saying why it was not measured."""
    try:
        throughput, checked = measure(
            procs=procs, upstream=upstream, workdir=workdir, say=say, duration=duration
        )
    except ToolsMissing as exc:
        say(f"two hosts: not measured ({exc})")
        return f"Two hosts: not measured ({exc})."
    except (SystemExit, RuntimeError) as exc:  # the rest of the bench's tables are still printed
        say(f"two hosts: failed ({exc})")
        return f"Two hosts: failed ({str(exc)[:500]})."
    return table(throughput, checked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Two app servers on one primary, one replica and Redis.")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per measure")
    parser.add_argument("--connections", type=int, default=8, help="connections in all, split between hosts")
    parser.add_argument(
        "--quota", type=int, default=0, help="the monthly quota of the check (0: a third of the calls made)"
    )
    parser.add_argument("--scale", type=float, default=0.001, help="seed scale of the scratch primary")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="bench-two-hosts-"))
    procs = Processes()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (procs.stop_all(), sys.exit(130)))
    try:
        base_env = server_env("postgres:///unused", secrets.token_urlsafe(50), "")
        say("collectstatic")  # production settings serve the collected, hashed files
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=base_env,
            check=True,
        )
        port = free_port()
        upstream = f"http://127.0.0.1:{port}"
        log = workdir / "upstream.log"
        child = procs.start([PYTHON, "manage.py", "demo_upstream", "--port", str(port)], base_env, log)
        wait_for(upstream + "/", child, 30, "the demo upstream", log)
        throughput, checked = measure(
            procs=procs,
            upstream=upstream,
            workdir=workdir,
            say=say,
            duration=args.duration,
            connections=args.connections,
            quota=args.quota,
            scale=args.scale,
        )
        print(table(throughput, checked))
        return 0 if checked.exact else 1
    finally:
        procs.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
