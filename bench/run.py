"""The benchmark: one command, one machine, one run, one Markdown table.

    .venv/bin/python bench/run.py            # or: make bench

1. Makes sure the benchmark database exists, is migrated and is seeded (bench/seed_scale.py at --scale 1:
   10M usage logs; --reseed to start again), and the same for a small database (--small-scale 0.001)
   that gives the dashboard's time on small data.
2. Starts the site as the Procfile's `web:` line does (gunicorn config.asgi:application, which reads
   gunicorn.conf.py: uvicorn workers, one per core) with production settings (DEBUG off, a random SECRET_KEY,
   plain HTTP on 127.0.0.1, the /__bench__/bare ceiling view switched on) on each database, and the demo
   upstream the gateway forwards to.
3. Drives each page with wrk (Debian's package) from a separate process: requests per second at
   saturation (--connections, default 2 per worker), then latency at one connection per core
   (--latency-connections) — and the gateway at the concurrency its targets name. The dashboard is
   measured on the big and the small data in turn, DASHBOARD_ROUNDS times, and each row keeps its median
   round: its target is a ratio of the two, which a change in the machine's other load between two
   separate measurements would move.
4. With --peers (the default), the same chat call through LiteLLM's proxy and Portkey's gateway beside the
   site's, in interleaved rounds (bench/peers.py).
5. Prints the tables (and writes them to --output, and into bench/README.md and README.md with
   --update-readme).

Exits non-zero when a server does not start or a page does not answer 200.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import seed_scale  # noqa: E402

PYTHON = sys.executable
PROCFILE = BASE_DIR / "Procfile"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/amp_bench"
README = BASE_DIR / "bench" / "README.md"
READMES = (README, BASE_DIR / "README.md")  # both hold the results between the same markers
RESULTS_START, RESULTS_END = "<!-- bench:results -->", "<!-- /bench:results -->"
SEARCH_TERMS = ["translation", "maritime", "fast chat", "python code", "summ", "vector retrieval"]
HOT_ROUNDS = 3
DASHBOARD_ROUNDS = 3  # big and small data in turn, each row's latency from its median round
# The rows measured against the bare view: in rounds, each with the bare view, so that a change in the
# machine's other load between two rows does not show as a change of their ratio.
PAGE_ROUNDS = 3
ROUND_PAGES = (
    "bare", "home", "catalog", "search", "filtered", "model", "model_stats", "suggest", "compare",
    "collections", "docs",
)  # fmt: skip
PACED_SECONDS = 0.05  # the model-like answer time of the second added-latency measure
PROMPT = "Summarize the quarterly report about pricing in three bullet points."


# --- processes --------------------------------------------------------------------------------------------
class Processes:
    """Child processes this run started, each in its own session; stopped by pid on exit."""

    def __init__(self):
        self.children: list[subprocess.Popen] = []

    def start(self, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        handle = log.open("ab")
        child = subprocess.Popen(
            args, cwd=BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children.append(child)
        return child

    def stop(self, child: subprocess.Popen) -> None:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        if child in self.children:
            self.children.remove(child)

    def stop_all(self) -> None:
        for child in reversed(list(self.children)):
            self.stop(child)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile_line(process: str) -> str:
    """The command of one of the Procfile's processes, as written there."""
    for line in PROCFILE.read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == process:
            return command.strip()
    raise SystemExit(f"The Procfile has no {process}: line.")


def procfile_command(process: str, env: dict[str, str]) -> list[str]:
    """The command of one of the Procfile's processes, as a platform would run it: $VARIABLES from `env`,
    and a program the run's virtualenv has (gunicorn) taken from there rather than from PATH."""
    command = procfile_line(process)
    expanded = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), command)
    args = shlex.split(expanded)
    local = Path(PYTHON).with_name(args[0])
    if local.exists():
        # The virtualenv's script, run by the virtualenv's Python as its first line says.
        args[0:1] = [PYTHON, str(local)]
    return args


def code_version() -> str:
    """The commit the servers run, and whether the checkout held uncommitted changes to tracked files."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=BASE_DIR, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "this checkout"
    changed = git("status", "--porcelain", "--untracked-files=no")
    return f"commit {commit}" + (" with uncommitted changes" if changed else "")


def keep_alive_problem(
    base: str, path: str, method: str = "GET", body: str | None = None, headers: dict | None = None
) -> str | None:
    """Two requests on one connection: None when the server kept it open after the first (no
    `Connection: close`, the same socket answered the second), else what went wrong."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        sockets = []
        for _ in range(2):
            conn.request(
                method, path, body=body.encode() if body is not None else None, headers=headers or {}
            )
            answer = conn.getresponse()
            answer.read()
            if (answer.getheader("Connection") or "").lower() == "close" or answer.will_close:
                return f"answered {answer.status} with Connection: close (HTTP/{answer.version / 10:g})"
            sockets.append(conn.sock)
        return None if sockets[0] is sockets[1] else "the second request needed a new connection"
    except (OSError, http.client.HTTPException) as exc:
        return f"failed: {exc}"
    finally:
        conn.close()


def wait_for(url: str, child: subprocess.Popen, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise SystemExit(f"{what} did not start (waited for {url}).\n{tail}")


# --- databases --------------------------------------------------------------------------------------------
def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def ensure_database(url: str, *, scale: float, reseed: bool, env: dict[str, str], say) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            say(f"dropping {name} (--reseed)")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            say(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env={**env, "DATABASE_URL": url},
        check=True,
    )
    with psycopg.connect(url, autocommit=True) as conn:
        seeded = conn.execute(
            "SELECT count(*) FROM users WHERE username IN (%s, %s)", [seed_scale.BUSIEST, seed_scale.HEAVIEST]
        ).fetchone()[0]
        others = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    if seeded == 2:
        say(f"{name}: already seeded")
        return
    if others:
        raise SystemExit(
            f"{name} holds data that seed_scale did not write; use another database or --reseed."
        )
    say(f"seeding {name} at scale {scale}")
    seed_scale.seed(url, scale=scale, force=True, log=lambda line: say("  " + line))


# Rows every call or page write updates in place. Earlier runs leave dead versions of them; a server
# whose autovacuum is off (or has not caught up) would make each run slower than the last.
COUNTER_TABLES = (
    "models", "developers", "model_daily_stats", "developer_monthly_usage", "model_users",
    "user_history_counts", "user_api_keys", "django_session",
)  # fmt: skip


def vacuum_counters(url: str, say) -> None:
    import psycopg

    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"VACUUM (ANALYZE) {', '.join(COUNTER_TABLES)}")
    say(
        f"vacuum analyze of the counter tables of {urlsplit(url).path.lstrip('/')}: {time.monotonic() - started:.1f} s"
    )


# --- load ---------------------------------------------------------------------------------------------------
LUA = r"""
local paths = {PATHS}
local method, body = "{METHOD}", {BODY}
local headers = {HEADERS}
local counter = 0

request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format(method, path, headers, body)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50": %.3f, "p95": %.3f, "p99": %.3f, ' ..
    '"max": %.3f, "status_errors": %d, "socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for our ASCII inputs


@dataclass
class Target:
    """What a row is asked to do, in words, and how to check it."""

    text: str
    check: object = None  # callable(Measure, context) -> bool


@dataclass
class Row:
    key: str
    label: str
    paths: list[str]
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    base: str = ""  # server base URL


@dataclass
class Measure:
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    errors: int
    single: bool = False  # too slow for wrk's window: the latency of one request instead


class Load:
    def __init__(self, *, duration: float, warmup: float, workdir: Path, say):
        self.duration, self.warmup, self.workdir, self.say = duration, warmup, workdir, say

    def script(self, row: Row) -> Path:
        headers = (
            "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in row.headers.items()) + "}"
        )
        text = (
            LUA.replace("{PATHS}", "{" + ", ".join(lua_string(p) for p in row.paths) + "}")
            .replace("{METHOD}", row.method)
            .replace("{BODY}", lua_string(row.body) if row.body is not None else "nil")
            .replace("{HEADERS}", headers)
        )
        path = self.workdir / f"{row.key}.lua"
        path.write_text(text)
        return path

    def check(self, row: Row, *, keep_alive: bool = False) -> float:
        """Every path must answer 200 before it is timed; returns the slowest answer's time in ms. With
        `keep_alive`, the server must also keep the connection open between two calls (wrk measures
        keep-alive calls; a server that closed would be measured with a new connection per call)."""
        problem = keep_alive_problem(row.base, row.paths[0], row.method, row.body, row.headers)
        if problem and keep_alive:
            raise SystemExit(f"{row.label}: the connection is not kept alive: {problem}.")
        if problem:
            self.say(f"  ! {row.label}: the connection is not kept alive: {problem}")
        slowest = 0.0
        for path in row.paths:
            data = row.body.encode() if row.body is not None else None
            request = urllib.request.Request(
                row.base + path, data=data, headers=row.headers, method=row.method
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=120) as answer:
                    status = answer.status
                    answer.read()
            except urllib.error.HTTPError as exc:
                status = exc.code
            slowest = max(slowest, (time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"{row.label}: {row.method} {path} answered {status}, not 200.")
        return slowest

    def settle(self, base: str) -> None:
        """Wait until the server answers the bare view quickly again: requests a slow page left queued
        must not be counted against the next row."""
        deadline = time.monotonic() + 120
        quick = 0
        while time.monotonic() < deadline and quick < 2:
            started = time.perf_counter()
            with contextlib.suppress(OSError, urllib.error.URLError):
                urllib.request.urlopen(base + "/__bench__/bare", timeout=60).read()
            quick = quick + 1 if time.perf_counter() - started < 0.1 else 0

    def run(self, row: Row, connections: int, duration: int | None = None) -> Measure:
        script = self.script(row)
        duration = duration or self.duration
        threads = 1 if connections <= 8 else 2
        args = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
        ]
        if self.warmup:
            subprocess.run(
                [*args[:3], f"-d{self.warmup}s", *args[4:], row.base], capture_output=True, check=False
            )
        result = subprocess.run([*args, row.base], capture_output=True, text=True, check=False)
        match = re.search(r"BENCH_JSON (\{.*\})", result.stdout)
        if not match:
            raise SystemExit(f"wrk gave no figures for {row.label}:\n{result.stdout}\n{result.stderr}")
        data = json.loads(match.group(1))
        errors = data["status_errors"] + data["socket_errors"]
        if errors:
            self.say(f"  ! {row.label}: {errors} of {data['requests']} requests failed at c={connections}")
        return Measure(data["rps"], data["p50"], data["p95"], data["p99"], data["requests"], errors)


def combine(measures: list[Measure]) -> Measure:
    """Several rounds of one measure: requests per second over all of them, latency of the median round."""
    middle = sorted(measures, key=lambda m: m.p50)[len(measures) // 2]
    return Measure(
        statistics.fmean(m.rps for m in measures),
        middle.p50,
        middle.p95,
        middle.p99,
        sum(m.requests for m in measures),
        sum(m.errors for m in measures),
    )


# --- the run -----------------------------------------------------------------------------------------------
def server_env(database_url: str, secret: str, upstream: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        BENCH_ENDPOINTS="1",
        DATABASE_URL=database_url,
        DEMO_UPSTREAM_URL=upstream,
        UPSTREAM_PRIVATE_NETWORKS="1",  # the demo upstream listens on 127.0.0.1
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


class Site:
    """gunicorn (production settings) on one database, plus what prepare.py made for the run."""

    def __init__(
        self, procs: Processes, *, database_url: str, upstream: str, workers: int, logdir: Path, say
    ):
        self.procs, self.say = procs, say
        self.secret = secrets.token_urlsafe(50)
        self.env = server_env(database_url, self.secret, upstream)
        prepared = subprocess.run(
            [PYTHON, "-m", "bench.prepare", "--upstream", upstream],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if prepared.returncode != 0:
            raise SystemExit(f"bench/prepare.py failed:\n{prepared.stderr[-3000:]}")
        self.info = json.loads(prepared.stdout.strip().splitlines()[-1])
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        log = logdir / f"gunicorn-{self.port}.log"
        # As the Procfile's web: line runs in production: gunicorn.conf.py (read from the working directory)
        # takes the address, the worker count and the worker class from the environment. The access log is
        # off, as for the peers in bench/peers.py: the bench measures the call, not the log shipper.
        env = {**self.env, "HOST": "127.0.0.1", "PORT": str(self.port), "WEB_CONCURRENCY": str(workers)}
        env["ACCESS_LOG"] = ""
        self.code = code_version()
        self.command = procfile_command("web", env)
        self.child = procs.start(self.command, env, log)
        wait_for(self.base + "/healthz", self.child, 60, "gunicorn", log)
        wait_for(self.base + "/__bench__/bare", self.child, 10, "the bench view", log)

    def cookie(self, who: str) -> dict[str, str]:
        return {"Cookie": f"{self.info['cookie_name']}={self.info[who + '_session']}"}

    def stop(self) -> None:
        self.procs.stop(self.child)


def fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def mark(ok: bool | None) -> str:
    return "" if ok is None else ("✅" if ok else "❌ miss")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the site under gunicorn with wrk.")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--small-database-url", default=os.environ.get("BENCH_SMALL_DATABASE_URL", ""))
    parser.add_argument("--scale", type=float, default=1.0, help="seed scale of the benchmark database")
    parser.add_argument("--small-scale", type=float, default=0.001, help="seed scale of the small database")
    parser.add_argument("--reseed", action="store_true", help="drop and seed both databases again")
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per measure")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of untimed load before each")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="WEB_CONCURRENCY: uvicorn worker processes"
    )
    parser.add_argument("--connections", type=int, default=0, help="connections for req/s (4 per core)")
    parser.add_argument("--latency-connections", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", default="", help="comma-separated row keys to run (bare always runs)")
    parser.add_argument("--output", default="", help="also write the Markdown here")
    parser.add_argument(
        "--update-readme", action="store_true", help="put the tables into bench/README.md and README.md"
    )
    parser.add_argument(
        "--peers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also compare the chat call with LiteLLM's proxy and Portkey's gateway (bench/peers.py)",
    )
    parser.add_argument("--peer-rounds", type=int, default=5, help="interleaved rounds of the peers' table")
    parser.add_argument(
        "--two-hosts",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also two app servers on a scratch primary, replica and Redis (bench/two_hosts.py)",
    )
    args = parser.parse_args(argv)
    connections = args.connections or 4 * (os.cpu_count() or 1)
    small_url = args.small_database_url or with_database(
        args.database_url, urlsplit(args.database_url).path.lstrip("/") + "_small"
    )
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    procs = Processes()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (procs.stop_all(), sys.exit(130)))
    try:
        return run(args, connections, small_url, workdir, procs, say)
    finally:
        procs.stop_all()


def run(args, connections: int, small_url: str, workdir: Path, procs: Processes, say) -> int:
    base_env = server_env(args.database_url, secrets.token_urlsafe(50), "http://127.0.0.1:8001")
    ensure_database(args.database_url, scale=args.scale, reseed=args.reseed, env=base_env, say=say)
    ensure_database(small_url, scale=args.small_scale, reseed=args.reseed, env=base_env, say=say)
    for url in (args.database_url, small_url):
        vacuum_counters(url, say)
    say("collectstatic")
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=base_env, check=True
    )

    upstream_port = free_port()
    upstream = f"http://127.0.0.1:{upstream_port}"
    upstream_log = workdir / "upstream.log"
    upstream_child = procs.start(
        [PYTHON, "manage.py", "demo_upstream", "--port", str(upstream_port)], base_env, upstream_log
    )
    wait_for(upstream + "/", upstream_child, 30, "the demo upstream", upstream_log)

    load = Load(duration=args.duration, warmup=args.warmup, workdir=workdir, say=say)
    only = {key for key in args.only.split(",") if key}
    results: dict[str, tuple[Measure, Measure]] = {}
    gateway: dict[str, Measure] = {}

    def measure(
        row: Row, *, chosen: bool = False, duration: int | None = None
    ) -> tuple[Measure, Measure] | None:
        if only and not chosen and row.key not in only and row.key != "bare":
            return None
        one_ms = load.check(row, keep_alive=row.key == "gateway")
        say(f"{row.label}: {connections} connections")
        throughput = load.run(row, connections, duration=duration)
        load.settle(row.base)
        say(f"{row.label}: {args.latency_connections} connections")
        latency = load.run(row, args.latency_connections, duration=duration)
        load.settle(row.base)
        if latency.requests < 3:
            latency = Measure(
                latency.rps, one_ms, one_ms, one_ms, latency.requests, latency.errors, single=True
            )
        results[row.key] = (throughput, latency)
        say(
            f"  {throughput.rps:,.1f} req/s; p50 {latency.p50:.1f} ms, p95 {latency.p95:.1f} ms, "
            f"p99 {latency.p99:.1f} ms"
        )
        return results[row.key]

    def measure_pages(rows: list[Row]) -> None:
        """The bare view and the pages compared with it, in interleaved rounds of shorter measures."""
        rounds: dict[str, list[tuple[Measure, Measure]]] = {}
        for number in range(1, PAGE_ROUNDS + 1):
            for row in rows:
                if only and row.key not in only and row.key != "bare":
                    continue
                label = f"{row.label} (round {number} of {PAGE_ROUNDS})"
                turn = Row(row.key, label, row.paths, row.method, row.body, row.headers, row.base)
                measured = measure(turn, chosen=True, duration=max(3, args.duration // 2))
                if measured is not None:
                    rounds.setdefault(row.key, []).append(measured)
        for key, measured in rounds.items():
            results[key] = (combine([t for t, _ in measured]), combine([lat for _, lat in measured]))

    def measure_dashboards(site: Site, small: Site) -> None:
        rounds: dict[str, list[tuple[Measure, Measure]]] = {}
        for number in range(1, DASHBOARD_ROUNDS + 1):
            for days in (30, 90):
                if only and not {f"dashboard_{days}", f"dashboard_small_{days}"} & only:
                    continue
                for key, label, on in (
                    (f"dashboard_small_{days}", f"dashboard, {days} days, small data", small),
                    (f"dashboard_{days}", f"dashboard, busiest developer, {days} days", site),
                ):
                    row = Row(
                        key,
                        f"{label} (round {number} of {DASHBOARD_ROUNDS})",
                        [f"/dashboard/?days={days}"],
                        headers=on.cookie("busiest"),
                        base=on.base,
                    )
                    rounds.setdefault(key, []).append(measure(row, chosen=True))
        for key, measured in rounds.items():
            results[key] = (combine([t for t, _ in measured]), combine([lat for _, lat in measured]))

    # The small database's site runs beside the big one: the dashboard's time on small data is measured in
    # rounds interleaved with the big data's, so that a change in the machine's other load falls on both.
    say(f"gunicorn on {urlsplit(small_url).path.lstrip('/')} (small data)")
    small = Site(
        procs, database_url=small_url, upstream=upstream, workers=args.workers, logdir=workdir, say=say
    )
    say(f"gunicorn on {urlsplit(args.database_url).path.lstrip('/')} ({args.workers} workers)")
    site = Site(
        procs,
        database_url=args.database_url,
        upstream=upstream,
        workers=args.workers,
        logdir=workdir,
        say=say,
    )
    info = site.info
    say(f"prepared: {info['counts']}")
    api_headers = {"Authorization": f"Bearer {info['api_key']}", "Content-Type": "application/json"}
    body = json.dumps({"prompt": PROMPT, "parameters": {}})
    pages = [
        Row("bare", "bare view (ceiling)", ["/__bench__/bare"]),
        Row("home", "home", ["/"]),
        Row("catalog", "catalog", ["/models/"]),
        Row("search", "catalog search", [f"/models/?q={term.replace(' ', '+')}" for term in SEARCH_TERMS]),
        Row(
            "search_signed_in",
            "catalog search, signed in",
            [f"/models/?q={term.replace(' ', '+')}" for term in SEARCH_TERMS],
            headers=site.cookie("heaviest"),
        ),
        Row(
            "filtered",
            "catalog filtered and sorted",
            ["/models/?category=text_generation&min_rating=3&sort=popular&page=2"],
        ),
        Row("model", "popular model page", [f"/models/{info['popular']}/"]),
        Row("model_stats", "popular model's Stats tab", [f"/models/{info['popular']}/stats/"]),
        Row(
            "suggest", "suggestions as you type", [f"/models/suggest/?q={term[:4]}" for term in SEARCH_TERMS]
        ),
        Row("compare", "compare, three models", ["/compare/?models=" + ",".join(info["spread"][:3])]),
        Row("collections", "public collections", ["/collections/"]),
        Row("docs", "docs quickstart", ["/docs/quickstart/"]),
        Row("history", "history, heaviest user", ["/me/history/"], headers=site.cookie("heaviest")),
        Row(
            "gateway",
            "gateway call (demo upstream)",
            [f"/api/v1/models/{info['popular']}/invoke"],
            method="POST",
            body=body,
            headers=api_headers,
        ),
    ]
    for row in pages:
        row.base = site.base
    measure_pages([row for row in pages if row.key in ROUND_PAGES])
    measure_dashboards(site, small)
    for row in pages:
        if row.key not in ROUND_PAGES:
            measure(row)
    small.stop()

    if not only or "gateway" in only:
        # Added latency: the gateway against the upstream's own time, both at concurrency 4.
        direct = Row(
            "upstream",
            "demo upstream, direct",
            ["/echo"],
            method="POST",
            body=body,
            headers={"Content-Type": "application/json"},
            base=upstream,
        )
        load.check(direct, keep_alive=True)
        say("demo upstream direct, 4 connections")
        gateway["upstream"] = load.run(direct, 4)
        load.settle(site.base)
        say("gateway, 4 connections")
        gateway["gateway"] = load.run(pages[-1], 4)
        load.settle(site.base)
        # The same with an upstream that takes a model's time to answer: four calls in flight then leave the
        # cores mostly idle, so the difference is the gateway's own work per call rather than a CPU queue.
        paced_body = json.dumps({"prompt": PROMPT, "parameters": {"seconds": PACED_SECONDS}})
        paced_direct = Row(
            "paced_upstream",
            f"demo upstream direct, {PACED_SECONDS * 1000:g} ms answers",
            ["/slow"],
            method="POST",
            body=paced_body,
            headers={"Content-Type": "application/json"},
            base=upstream,
        )
        paced = Row(
            "paced_gateway",
            f"gateway, {PACED_SECONDS * 1000:g} ms answers",
            [f"/api/v1/models/{info['paced']}/invoke"],
            method="POST",
            body=paced_body,
            headers=api_headers,
            base=site.base,
        )
        load.check(paced_direct, keep_alive=True)
        load.check(paced, keep_alive=True)
        for key, row in (("paced_upstream", paced_direct), ("paced_gateway", paced)):
            say(f"{row.label}, 4 connections")
            gateway[key] = load.run(row, 4)
            load.settle(site.base)
        # A hot counter row must not serialise calls: 16 clients on one model against 16 on 16 models.
        one = Row(
            "hot_one",
            "16 clients, one model",
            [f"/api/v1/models/{info['popular']}/invoke"],
            method="POST",
            body=body,
            headers=api_headers,
            base=site.base,
        )
        spread = Row(
            "hot_spread",
            "16 clients, 16 models",
            [f"/api/v1/models/{name}/invoke" for name in info["spread"]],
            method="POST",
            body=body,
            headers=api_headers,
            base=site.base,
        )
        load.check(spread, keep_alive=True)
        # Interleaved rounds, so a change in the machine's other load falls on both sides alike.
        rounds: dict[str, list[Measure]] = {"one": [], "spread": []}
        for number in range(1, HOT_ROUNDS + 1):
            for key, row in (("one", one), ("spread", spread)):
                say(f"{row.label}, round {number} of {HOT_ROUNDS}")
                rounds[key].append(load.run(row, 16, duration=max(3, args.duration // 2)))
                load.settle(site.base)
        gateway["one"], gateway["spread"] = combine(rounds["one"]), combine(rounds["spread"])
    peer_table = ""
    if args.peers:
        from bench import peers

        peer_table = peers.compare(
            procs=procs,
            site=site,
            upstream=upstream,
            upstream_child=upstream_child,
            database_url=args.database_url,
            workers=args.workers,
            rounds=args.peer_rounds,
            duration=max(3, args.duration // 2),
            warmup=1,
            workdir=workdir,
            say=say,
        )
    site.stop()
    two_hosts_table = ""
    if args.two_hosts and (not only or "two_hosts" in only):
        from bench import two_hosts

        two_hosts_table = two_hosts.compare(
            procs=procs, upstream=upstream, workdir=workdir, say=say, duration=max(3, args.duration // 2)
        )

    info["code"] = site.code
    markdown = report(args, connections, results, gateway, info)
    if peer_table:
        markdown += "\n\n" + peer_table
    if two_hosts_table:
        markdown += "\n\n" + two_hosts_table
    print(markdown)
    if args.output:
        Path(args.output).write_text(markdown + "\n")
    if args.update_readme:
        for readme in READMES:
            text = readme.read_text()
            if RESULTS_START in text and RESULTS_END in text:
                head, rest = text.split(RESULTS_START, 1)
                _, tail = rest.split(RESULTS_END, 1)
                readme.write_text(f"{head}{RESULTS_START}\n{markdown}\n{RESULTS_END}{tail}")
    say("done")
    return 0


def report(args, connections: int, results, gateway, info) -> str:
    bare = results["bare"][0].rps if "bare" in results else None

    def ratio(key: str) -> float | None:
        return results[key][0].rps / bare if bare and key in results else None

    def small_ratio(days: int) -> float | None:
        big, small = results.get(f"dashboard_{days}"), results.get(f"dashboard_small_{days}")
        return big[1].p95 / small[1].p95 if big and small and small[1].p95 else None

    targets = {
        "catalog": ("≥ 0.5× bare", lambda: ratio("catalog") >= 0.5),
        "search": (
            "≥ 0.5× bare; p95 < 50 ms",
            lambda: ratio("search") >= 0.5 and results["search"][1].p95 < 50,
        ),
        "search_signed_in": ("p95 < 50 ms", lambda: results["search_signed_in"][1].p95 < 50),
        "filtered": ("≥ 0.5× bare", lambda: ratio("filtered") >= 0.5),
        "model": ("≥ 0.5× bare", lambda: ratio("model") >= 0.5),
        "model_stats": ("≥ 0.5× bare", lambda: ratio("model_stats") >= 0.5),
        "suggest": ("≥ 0.5× bare", lambda: ratio("suggest") >= 0.5),
        "compare": ("≥ 0.5× bare", lambda: ratio("compare") >= 0.5),
        "collections": ("≥ 0.5× bare", lambda: ratio("collections") >= 0.5),
        "docs": ("≥ 0.5× bare", lambda: ratio("docs") >= 0.5),
        "dashboard_30": (
            "p95 < 100 ms; ≤ 1.5× small data",
            lambda: results["dashboard_30"][1].p95 < 100 and (small_ratio(30) or 0) <= 1.5,
        ),
        "dashboard_90": (
            "p95 < 100 ms; ≤ 1.5× small data",
            lambda: results["dashboard_90"][1].p95 < 100 and (small_ratio(90) or 0) <= 1.5,
        ),
        "history": ("p95 < 50 ms", lambda: results["history"][1].p95 < 50),
    }
    order = [
        "bare", "home", "catalog", "search", "search_signed_in", "filtered", "model", "model_stats", "suggest",
        "compare", "collections", "docs", "dashboard_30", "dashboard_90", "dashboard_small_30",
        "dashboard_small_90", "history", "gateway",
    ]  # fmt: skip
    labels = {
        "bare": "bare view (ceiling)",
        "home": "home `/`",
        "catalog": "catalog `/models/`",
        "search": f"catalog search ({len(SEARCH_TERMS)} queries in turn)",
        "search_signed_in": "catalog search, signed in (bench-heaviest)",
        "filtered": "catalog filtered + sorted, page 2",
        "model": f"model page `/models/{info.get('popular', '')}/`",
        "model_stats": "its Stats tab `stats/`",
        "suggest": f"suggestions as you type ({len(SEARCH_TERMS)} prefixes in turn)",
        "compare": "compare three models `/compare/`",
        "collections": "public collections `/collections/`",
        "docs": "docs quickstart `/docs/quickstart/`",
        "dashboard_30": "dashboard, busiest developer, 30 days",
        "dashboard_90": "dashboard, busiest developer, 90 days",
        "dashboard_small_30": "dashboard, 30 days, small data",
        "dashboard_small_90": "dashboard, 90 days, small data",
        "history": "history, heaviest user",
        "gateway": "gateway call → demo upstream",
    }
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"Run of {now} on {os.cpu_count()} cores ({cpu}), load average at the end {load} (1/5/15 min; "
        "anything above the benchmark's own load is other work on the machine); "
        f"the site at {info['code']}, `{procfile_line('web')}` (the Procfile's web: line, gunicorn.conf.py) with "
        f"{args.workers} uvicorn workers (WEB_CONCURRENCY), keep-alive, access log off, DEBUG off; "
        f"{info['counts']['models']:,} models, busiest developer {info['counts']['busiest_models']} models, "
        f"heaviest user {info['counts']['heaviest_history']:,} history rows. req/s with {connections} connections "
        f"(saturation), latency with {args.latency_connections} (one per core); {args.duration:g} s each after "
        f"{args.warmup:g} s warm-up. The bare view and the pages compared with it: {PAGE_ROUNDS} interleaved "
        f"rounds of {max(3, args.duration // 2)} s each. Dashboard rows: {DASHBOARD_ROUNDS} rounds, big and "
        "small data in turn. Rows in rounds: req/s over all rounds, latency of the median round.",
        "",
        "| page | req/s | × bare | p50 ms | p95 ms | p99 ms | target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    single_rows = False
    for key in order:
        if key not in results:
            continue
        throughput, latency = results[key]
        text, check = targets.get(key, ("", None))
        ok = None
        if check is not None:
            try:
                ok = bool(check())
            except (KeyError, TypeError):
                ok = None
        extra = ""
        if (
            key.startswith("dashboard_")
            and not key.startswith("dashboard_small")
            and small_ratio(int(key[-2:]))
        ):
            extra = f" (×{small_ratio(int(key[-2:])):.2f} of small)"
        dagger = " †" if latency.single else ""
        if latency.single:
            single_rows = True
            ok = False if check is not None else None
        lines.append(
            f"| {labels[key]} | {fmt(throughput.rps, 1 if throughput.rps < 10 else 0)} | {fmt(ratio(key), 3)} | "
            f"{fmt(latency.p50)}{dagger} | {fmt(latency.p95)}{dagger} | {fmt(latency.p99)}{dagger} | "
            f"{text}{extra} | {mark(ok)} |"
        )
    if single_rows:
        lines += [
            "",
            f"† No request completed within the {args.duration} s window at {args.latency_connections} "
            "connections: the time of one request, alone.",
        ]
    if gateway:
        one, spread = gateway["one"], gateway["spread"]
        hot = one.rps / spread.rps if spread.rps else 0
        lines += [
            "",
            "| gateway | req/s | p50 ms | p99 ms | target | met |",
            "| --- | ---: | ---: | ---: | --- | --- |",
        ]
        paced_ms = f"{PACED_SECONDS * 1000:g} ms"
        for up_key, gw_key, answers in (
            ("upstream", "gateway", "at once (echo)"),
            ("paced_upstream", "paced_gateway", f"after {paced_ms} (/slow)"),
        ):
            up, gw = gateway[up_key], gateway[gw_key]
            added50, added99 = gw.p50 - up.p50, gw.p99 - up.p99
            lines += [
                f"| demo upstream alone, answering {answers}, 4 connections | {fmt(up.rps, 0)} | {fmt(up.p50)} | "
                f"{fmt(up.p99)} | | |",
                f"| gateway → that upstream, 4 connections | {fmt(gw.rps, 0)} | {fmt(gw.p50)} | {fmt(gw.p99)} | | |",
                f"| added by the gateway | | {fmt(added50)} | {fmt(added99)} | p50 ≤ 5 ms, p99 ≤ 15 ms | "
                f"{mark(added50 <= 5 and added99 <= 15)} |",
            ]
        lines += [
            f"| 16 clients, one model ({HOT_ROUNDS} rounds, interleaved) | {fmt(one.rps, 0)} | {fmt(one.p50)} | {fmt(one.p99)} | | |",
            f"| 16 clients, 16 models (16 developers) | {fmt(spread.rps, 0)} | {fmt(spread.p50)} | "
            f"{fmt(spread.p99)} | | |",
            f"| one model ÷ 16 models | {hot:.2f}× | | | ≥ 0.9× | {mark(hot >= 0.9)} |",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
