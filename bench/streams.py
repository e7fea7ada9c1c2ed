"""Many streamed calls at once: what 1,000 open Server-Sent Event answers cost one web process.

    .venv/bin/python bench/streams.py [--streams 1000] [--chunks 20] [--pace-ms 1000] [--output FILE]

1. Makes sure its database exists (default postgres://postgres@127.0.0.1:5432/amp_streams; --database-url),
   is migrated and holds the demo marketplace (`manage.py seed_demo`); then, as the demo seed does, gives
   the demo model a fresh model key, points it at the demo upstream's /echo and gives its developer a quota
   the run cannot spend.
2. Starts the demo upstream and the site as the Procfile's `web:` line does (gunicorn, gunicorn.conf.py,
   uvicorn workers over ASGI) with production settings (DEBUG unset, a random SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1, SECURE_SSL_REDIRECT=0 since there is no TLS proxy on the loopback) and
   WEB_CONCURRENCY=1, so that one process's memory is measured.
3. Opens --streams streamed invoke calls at once, each answered by the upstream one word every --pace-ms
   (--chunks words), and while they are all open reads the worker's resident memory and threads
   (/proc/<pid>/status), its open files, the PostgreSQL connections of the database (pg_stat_activity), and
   times /healthz and a page (/models/) 20 times each. Then counts the streams that ended with
   `data: [DONE]` and the usage rows the calls left.
4. Times the first chunk of a streamed call through the site against the upstream called directly (same
   body, interleaved, one connection each): the difference of the medians is the time the gateway adds.
5. Prints a Markdown table (and writes it to --output).

The open-files limit is raised to its hard limit first (the servers, started from here, inherit it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.run import Processes, free_port, procfile_command, wait_for, with_database  # noqa: E402

PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/amp_streams"
MODEL = "demo-summarizer"  # the model whose key seed_demo prints
UNSPENDABLE_QUOTA = 2_000_000_000
POLLS = 20
FIRST_CHUNK_CALLS = 200
WORDS = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo",
    "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor",
]  # fmt: skip
DONE = b"data: [DONE]"
# The last line of a logged traceback: "package.module.SomeError: message".
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout|Interrupt)\b(:|$)")


# --- the database -------------------------------------------------------------------------------------------
def ensure_database(url: str, env: dict[str, str], say) -> None:
    """Create, migrate and seed (seed_demo, which runs with DEBUG only) the run's database when needed."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            say(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
    dev_env = {**env, "DEBUG": "1", "DATABASE_URL": url}
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=dev_env, check=True
    )
    with psycopg.connect(url, autocommit=True) as conn:
        seeded = conn.execute("SELECT 1 FROM models WHERE api_name = %s", [MODEL]).fetchone()
    if not seeded:
        say(f"seed_demo on {name}")
        subprocess.run(
            [PYTHON, "manage.py", "seed_demo"], cwd=BASE_DIR, env=dev_env, check=True, capture_output=True
        )


def prepare(upstream: str) -> dict:
    """Inside Django (the server's settings): a fresh model key for the demo model, as catalog's model
    creation makes one (only its hash is stored), its endpoint at the upstream's /echo, and a quota for its
    developer that the run cannot spend."""
    from django.db import transaction

    from accounts import keys
    from accounts.models import Developer
    from catalog.models import AIModel

    with transaction.atomic():
        model = AIModel.objects.select_related("developer").get(api_name=MODEL)
        key = keys.generate_model_key()
        AIModel.objects.filter(pk=model.pk).update(
            api_key=keys.hash_key(key),
            api_key_prefix=keys.display_prefix(key),
            endpoint_url=upstream.rstrip("/") + "/echo",
            input_kinds=["text"],  # the demo's echo takes and gives text, whatever the category says
            output_kinds=["text"],
        )
        Developer.objects.filter(pk=model.developer_id).update(api_quota=UNSPENDABLE_QUOTA)
    return {"key": key, "model": model.api_name, "model_id": str(model.pk)}


def usage_rows(url: str, model_id: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM api_usage_logs WHERE model_id = %s", [model_id]).fetchone()[
            0
        ]


def usage_rows_since(url: str, model_id: str, since: datetime) -> Counter[int]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT response_code, count(*) FROM api_usage_logs WHERE model_id = %s AND created_at >= %s "
            "GROUP BY response_code",
            [model_id, since],
        ).fetchall()
    return Counter({code: count for code, count in rows})


# --- the servers --------------------------------------------------------------------------------------------
def server_env(database_url: str, upstream: str, port: int) -> dict[str, str]:
    """Production settings, as bench/run.py gives them, with DEBUG unset and one worker process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.pop("DEBUG", None)
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        DEMO_UPSTREAM_URL=upstream,
        UPSTREAM_PRIVATE_NETWORKS="1",  # the demo upstream listens on 127.0.0.1
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
    )
    return env


def worker_pid(master: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
            if children:
                return int(children[0])
        time.sleep(0.2)
    raise SystemExit("gunicorn started no worker")


@dataclass
class ProcState:
    rss_kb: int
    hwm_kb: int
    threads: int
    files: int


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process, all its threads, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_state(pid: int) -> ProcState:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.split()[0] if value.split() else ""
    files = len(os.listdir(f"/proc/{pid}/fd"))
    return ProcState(int(fields["VmRSS"]), int(fields["VmHWM"]), int(fields["Threads"]), files)


# --- the clients ----------------------------------------------------------------------------------------------
@dataclass
class Stream:
    status: int = 0
    first_at: float | None = None  # monotonic time of the first event
    ended_at: float | None = None
    done: bool = False
    error: str = ""
    body_head: bytes = b""


async def stream_call(
    host: str, port: int, path: str, headers: dict[str, str], body: bytes, out: Stream
) -> None:
    """One streamed call over its own connection (Connection: close, so the answer ends with the
    connection): the status, the time of the first event, and whether `data: [DONE]` came."""
    writer = None
    try:
        reader, writer = await asyncio.open_connection(host, port)
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n{head}\r\n".encode()
            + body
        )
        await writer.drain()
        status_line = await reader.readline()
        out.status = int(status_line.split()[1]) if status_line.startswith(b"HTTP/") else -1
        while await reader.readline() not in (b"\r\n", b""):
            pass
        received = b""
        while chunk := await reader.read(65536):
            if out.first_at is None and b"data:" in chunk:
                out.first_at = time.monotonic()
            received += chunk
        out.done = DONE in received
        if out.status != 200 or not out.done:
            out.body_head = received[:300]
    except (OSError, ValueError, IndexError) as exc:
        out.error = f"{type(exc).__name__}: {exc}"
    finally:
        out.ended_at = time.monotonic()
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


@dataclass
class Sampler:
    """The worker's memory, threads and open files, and the database's connections, every quarter second."""

    pid: int
    database_url: str
    database: str
    samples: list[tuple[float, ProcState, int, int]] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        import psycopg

        async with await psycopg.AsyncConnection.connect(
            with_database(self.database_url, "postgres"), autocommit=True
        ) as conn:
            while not stop.is_set():
                try:
                    state = proc_state(self.pid)
                except FileNotFoundError:  # the worker is gone: main() says so
                    return
                cursor = await conn.execute(
                    "SELECT count(*), count(*) FILTER (WHERE state <> 'idle') FROM pg_stat_activity "
                    "WHERE datname = %s AND backend_type = 'client backend'",
                    [self.database],
                )
                total, busy = await cursor.fetchone() or (0, 0)
                self.samples.append((time.monotonic(), state, total, busy))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.25)

    def between(self, start: float, end: float) -> list[tuple[float, ProcState, int, int]]:
        return [s for s in self.samples if start <= s[0] <= end]


async def timed_get(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        answer = await client.get(url)
        status = answer.status_code
    except Exception as exc:  # a timeout or a refused connection is a figure too
        status = -1
        print(f"  ! GET {url}: {type(exc).__name__}: {exc}", file=sys.stderr)
    return (time.perf_counter() - started) * 1000, status


async def first_chunk_ms(client, url: str, headers: dict[str, str], body: bytes) -> float:
    """Time from sending the call to its first event, the answer then read to its end."""
    started = time.perf_counter()
    first = None
    async with client.stream("POST", url, headers=headers, content=body) as answer:
        if answer.status_code != 200:
            raise SystemExit(f"POST {url} answered {answer.status_code}: {(await answer.aread())[:300]!r}")
        async for chunk in answer.aiter_raw():
            if first is None and b"data:" in chunk:
                first = (time.perf_counter() - started) * 1000
    if first is None:
        raise SystemExit(f"POST {url}: no event in the answer")
    return first


# --- the run ----------------------------------------------------------------------------------------------
@dataclass
class Target:
    """Where the streamed calls go, and what they send."""

    host: str
    port: int
    path: str
    headers: dict[str, str]
    base: str


def call_body(words: int, pace_ms: float) -> bytes:
    prompt = " ".join((WORDS * (words // len(WORDS) + 1))[:words])
    return json.dumps({"prompt": prompt, "parameters": {"stream_delay_ms": pace_ms}, "stream": True}).encode()


async def stream_round(args, target: Target, *, pid: int, info: dict, say) -> dict:
    """args.streams calls opened at once; the figures of the worker and the database while they are open."""
    import httpx

    body = call_body(args.chunks, args.pace_ms)
    database = urlsplit(args.database_url).path.lstrip("/")
    result: dict = {}
    await asyncio.sleep(2)
    before = proc_state(pid)
    rows_before = usage_rows(args.database_url, info["model_id"])
    since = datetime.now(UTC)
    say(f"worker {pid}: RSS {before.rss_kb / 1024:.1f} MB, {before.threads} threads, {before.files} files")

    stop = asyncio.Event()
    sampler = Sampler(pid, args.database_url, database)
    sampling = asyncio.create_task(sampler.run(stop))

    streams = [Stream() for _ in range(args.streams)]
    say(f"opening {args.streams} streams ({args.chunks} chunks, one every {args.pace_ms:g} ms)")
    cpu_before = cpu_seconds(pid)
    opened_at = time.monotonic()
    tasks = [
        asyncio.create_task(stream_call(target.host, target.port, target.path, target.headers, body, s))
        for s in streams
    ]

    # All open: every stream has had its first event (or has ended, failed).
    limit = opened_at + max(120, args.chunks * args.pace_ms / 1000 * 2)
    while time.monotonic() < limit:
        if all(s.first_at is not None or s.ended_at is not None for s in streams):
            break
        await asyncio.sleep(0.05)
    all_open_at = time.monotonic()
    result["open_cpu_s"] = cpu_seconds(pid) - cpu_before
    first_times = [s.first_at - opened_at for s in streams if s.first_at is not None]
    result["open_seconds"] = max(first_times) if first_times else None
    open_now = sum(1 for s in streams if s.first_at is not None and s.ended_at is None)
    say(
        f"all opened in {result['open_seconds'] or 0:.1f} s ({result['open_cpu_s']:.1f} s of the worker's CPU); "
        f"{open_now} open now"
    )

    # While they are open: the pages, in turn.
    polls: dict[str, list[tuple[float, int]]] = {"healthz": [], "models": []}
    open_during: list[int] = []
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(POLLS):
            for name, url in (("healthz", f"{target.base}/healthz"), ("models", f"{target.base}/models/")):
                polls[name].append(await timed_get(client, url))
                open_during.append(sum(1 for s in streams if s.first_at is not None and s.ended_at is None))
            await asyncio.sleep(0.1)
    polled_at = time.monotonic()
    state_open = proc_state(pid)
    say(
        f"open: RSS {state_open.rss_kb / 1024:.1f} MB, {state_open.threads} threads, {state_open.files} files; "
        f"streams open during the polls {min(open_during)}–{max(open_during)}"
    )

    await asyncio.gather(*tasks)
    ended_at = time.monotonic()
    say(f"all ended {ended_at - opened_at:.1f} s after the first was opened")
    await asyncio.sleep(5)
    after = proc_state(pid)
    stop.set()
    await sampling

    during = sampler.between(opened_at, ended_at)
    at_full = sampler.between(all_open_at, polled_at)
    result.update(
        before=before,
        after=after,
        open_state=state_open,
        peak_rss_kb=max(s[1].rss_kb for s in during),
        open_rss_kb=max((s[1].rss_kb for s in at_full), default=state_open.rss_kb),
        max_threads=max(s[1].threads for s in during),
        max_files=max(s[1].files for s in during),
        pg_total_max=max(s[2] for s in during),
        pg_busy_max=max(s[3] for s in during),
        pg_total_open=statistics.median(s[2] for s in at_full) if at_full else 0,
        pg_busy_open=statistics.median(s[3] for s in at_full) if at_full else 0,
        polls=polls,
        open_during=(min(open_during), max(open_during)),
        streams=len(streams),
        done=sum(1 for s in streams if s.status == 200 and s.done),
        statuses=Counter(s.status for s in streams),
        errors=Counter(s.error.split(":")[0] for s in streams if s.error),
        failed_examples=[
            (s.status, s.error, s.body_head[:200]) for s in streams if s.status != 200 or not s.done
        ][:3],
        duration_s=ended_at - opened_at,
    )
    # Every call leaves one usage row, written before its [DONE] is sent.
    result["usage_rows"] = usage_rows(args.database_url, info["model_id"]) - rows_before
    result["usage_codes"] = usage_rows_since(args.database_url, info["model_id"], since)
    return result


async def first_chunks(args, target: Target, *, upstream: str, info: dict) -> dict:
    """Time to the first chunk through the site and from the upstream directly, interleaved, one connection
    each, the same body: a short answer at full speed (the upstream sends its first word at once). The
    site's own figure (first_chunk_ms of the usage rows: from the view's start to the upstream's first
    piece) splits the difference into the view's part and the rest (server, middleware, the thread hops)."""
    import httpx

    body = call_body(5, 0)
    direct_headers = {"Content-Type": "application/json"}
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    site_ms: list[float] = []
    direct_ms: list[float] = []
    warmup = 10
    async with (
        httpx.AsyncClient(timeout=30, limits=one) as site_client,
        httpx.AsyncClient(timeout=30, limits=one) as direct_client,
    ):
        since = datetime.now(UTC)
        for number in range(warmup + FIRST_CHUNK_CALLS):
            if number == warmup:
                since = datetime.now(UTC)
            pairs = [
                (site_client, target.base + target.path, target.headers, site_ms),
                (direct_client, upstream + "/echo", direct_headers, direct_ms),
            ]
            for client, url, headers, times in pairs if number % 2 else pairs[::-1]:
                ms = await first_chunk_ms(client, url, headers, body)
                if number >= warmup:
                    times.append(ms)
    import psycopg

    with psycopg.connect(args.database_url, autocommit=True) as conn:
        server = conn.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY first_chunk_ms), count(*) FROM api_usage_logs "
            "WHERE model_id = %s AND created_at >= %s",
            [info["model_id"], since],
        ).fetchone()
    return {
        "site": site_ms,
        "direct": direct_ms,
        "server_first_chunk_ms": server[0],
        "server_rows": server[1],
    }


async def measure(args, *, base: str, upstream: str, info: dict, pid: int, say) -> dict:
    import httpx

    target = Target(
        host="127.0.0.1",
        port=int(urlsplit(base).port or 80),
        path=f"/api/v1/models/{info['model']}/invoke",
        headers={"Authorization": f"Bearer {info['key']}", "Content-Type": "application/json"},
        base=base,
    )
    # Warm-up: a few streamed calls at full speed, so that what the first call loads is not counted.
    quick = call_body(args.chunks, 0)
    for _ in range(3):
        warm = [Stream() for _ in range(10)]
        await asyncio.gather(
            *(stream_call(target.host, target.port, target.path, target.headers, quick, s) for s in warm)
        )
        bad = [s for s in warm if s.status != 200 or not s.done]
        if bad:
            raise SystemExit(f"warm-up call failed: {bad[0]}")
    async with httpx.AsyncClient(timeout=30) as client:
        for url in (f"{base}/healthz", f"{base}/models/"):
            _, status = await timed_get(client, url)
            if status != 200:
                raise SystemExit(f"GET {url} answered {status} before the streams")
    rounds = []
    for number in range(1, args.rounds + 1):
        say(f"round {number} of {args.rounds}")
        rounds.append(await stream_round(args, target, pid=pid, info=info, say=say))
    say(f"first chunk: {FIRST_CHUNK_CALLS} calls each way, interleaved")
    first = await first_chunks(args, target, upstream=upstream, info=info)
    return {"rounds": rounds, "first": first}


def mark(ok: bool) -> str:
    return "✅" if ok else "❌ miss"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(args, measured: dict, *, pool_size: str) -> str:
    mb = 1024
    r, rounds, first = measured["rounds"][0], measured["rounds"], measured["first"]
    before, after = r["before"], r["after"]
    per_stream_kb = (r["open_rss_kb"] - before.rss_kb) / r["streams"]
    health = [ms for ms, _ in r["polls"]["healthz"]]
    page = [ms for ms, _ in r["polls"]["models"]]

    def codes(name: str) -> str:
        return ", ".join(f"{code}×{n}" for code, n in sorted(Counter(s for _, s in r["polls"][name]).items()))

    site50, direct50 = statistics.median(first["site"]), statistics.median(first["direct"])
    added = site50 - direct50
    server50 = first["server_first_chunk_ms"]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    usage = ", ".join(f"{code}×{n}" for code, n in sorted(r["usage_codes"].items()))
    statuses = ", ".join(f"{code}×{n}" for code, n in sorted(r["statuses"].items()))
    lines = [
        f"Run of {now} on {os.cpu_count()} cores, load average at the end {load}; `{' '.join(args.command)}` "
        f"(the Procfile's `web:`), WEB_CONCURRENCY=1, DEBUG unset, DB_POOL_SIZE {pool_size}; "
        f"{r['streams']:,} streamed invoke calls opened at once, each {args.chunks} chunks from the demo "
        f"upstream, one every {args.pace_ms:g} ms"
        + (f"; figures of the first of {len(rounds)} rounds." if len(rounds) > 1 else "."),
        "",
        "| measure | figure |",
        "| --- | ---: |",
        f"| all {r['streams']:,} streams open (the last one's first chunk) after | {r['open_seconds']:.1f} s |",
        f"| worker CPU while they opened, per call | {r['open_cpu_s'] * 1000 / r['streams']:.1f} ms |",
        f"| streams open while the pages were timed | {r['open_during'][0]:,}–{r['open_during'][1]:,} |",
        f"| worker RSS before the streams | {before.rss_kb / mb:.1f} MB |",
        f"| worker RSS with all streams open (peak {r['peak_rss_kb'] / mb:.1f} MB) | {r['open_rss_kb'] / mb:.1f} MB |",
        f"| worker RSS 5 s after they ended | {after.rss_kb / mb:.1f} MB |",
        f"| memory per open stream: (open − before) ÷ {r['streams']:,} | {per_stream_kb:.0f} KB |",
        f"| worker threads: before / open (max) / after | {before.threads} / {r['max_threads']:,} / {after.threads} |",
        f"| worker open files: before / max / after | {before.files} / {r['max_files']:,} / {after.files} |",
        f"| PostgreSQL connections to the database with all open (median): all / not idle | "
        f"{r['pg_total_open']:g} / {r['pg_busy_open']:g} |",
        f"| PostgreSQL connections, max while the streams ran: all / not idle | "
        f"{r['pg_total_max']} / {r['pg_busy_max']} |",
        f"| `/healthz` with all open: median / max of {len(health)} ({codes('healthz')}) | "
        f"{statistics.median(health):.1f} / {max(health):.1f} ms |",
        f"| `/models/` with all open: median / max of {len(page)} ({codes('models')}) | "
        f"{statistics.median(page):.1f} / {max(page):.1f} ms |",
        f"| streams that ended with `data: [DONE]` (statuses {statuses}) | {r['done']:,} of {r['streams']:,} "
        f"{mark(r['done'] == r['streams'])} |",
        f"| usage rows the streams left (codes {usage}) | {r['usage_rows']:,} {mark(r['usage_rows'] == r['streams'])} |",
    ]
    for number, later in enumerate(rounds[1:], start=2):
        lines.append(
            f"| round {number}: RSS before / open / after; [DONE]; usage rows | "
            f"{later['before'].rss_kb / mb:.1f} / {later['open_rss_kb'] / mb:.1f} / {later['after'].rss_kb / mb:.1f} MB; "
            f"{later['done']:,}; {later['usage_rows']:,} |"
        )
    lines += [
        f"| first chunk, upstream directly: p50 / p90 ({len(first['direct'])} calls) | "
        f"{direct50:.2f} / {pct(first['direct'], 0.9):.2f} ms |",
        f"| first chunk through the site: p50 / p90 ({len(first['site'])} calls, interleaved) | "
        f"{site50:.2f} / {pct(first['site'], 0.9):.2f} ms |",
        f"| the site's own first_chunk_ms: from the view's start to the upstream's first piece (p50, whole ms) | "
        f"{server50:g} ms |",
        f"| time to first chunk added by the gateway (p50 − p50; target ≤ 3 ms) | {added:.2f} ms {mark(added <= 3)} |",
    ]
    failures = [(n, x) for n, x in enumerate(rounds, start=1) if x["errors"] or x["failed_examples"]]
    for number, x in failures:
        lines += ["", f"Round {number}: client errors {dict(x['errors'])}; examples: {x['failed_examples']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="1,000 streamed calls at once against one web process.")
    parser.add_argument("--database-url", default=os.environ.get("STREAMS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--chunks", type=int, default=20, help="words in each streamed answer")
    parser.add_argument("--pace-ms", type=float, default=1000, help="the upstream's pause between two words")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of streams (does memory come back?)")
    parser.add_argument("--output", default="", help="also write the Markdown here")
    parser.add_argument("--prepare", default="", help=argparse.SUPPRESS)  # internal: run inside Django
    args = parser.parse_args(argv)

    if args.prepare:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        print(json.dumps(prepare(args.prepare)))
        return 0

    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * args.streams + 1024  # clients here; the worker's callers and upstreams; the upstream's
    if hard != resource.RLIM_INFINITY and hard < wanted:
        raise SystemExit(f"the open-files hard limit is {hard}; {wanted} are needed (ulimit -Hn)")
    resource.setrlimit(
        resource.RLIMIT_NOFILE, (max(soft, wanted) if hard == resource.RLIM_INFINITY else hard, hard)
    )
    say(f"open files: {resource.getrlimit(resource.RLIMIT_NOFILE)[0]} (was {soft})")

    workdir = Path(tempfile.mkdtemp(prefix="bench-streams-"))
    procs = Processes()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (procs.stop_all(), sys.exit(130)))
    try:
        upstream_port, site_port = free_port(), free_port()
        upstream = f"http://127.0.0.1:{upstream_port}"
        base = f"http://127.0.0.1:{site_port}"
        env = server_env(args.database_url, upstream, site_port)
        ensure_database(args.database_url, env, say)
        say("collectstatic")
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True
        )
        prepared = subprocess.run(
            [
                PYTHON,
                str(Path(__file__).resolve()),
                "--prepare",
                upstream,
                "--database-url",
                args.database_url,
            ],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if prepared.returncode != 0:
            raise SystemExit(f"prepare failed:\n{prepared.stderr[-3000:]}")
        info = json.loads(prepared.stdout.strip().splitlines()[-1])

        upstream_log = workdir / "upstream.log"
        upstream_child = procs.start(
            [PYTHON, "manage.py", "demo_upstream", "--port", str(upstream_port)], env, upstream_log
        )
        wait_for(upstream + "/", upstream_child, 30, "the demo upstream", upstream_log)
        args.command = procfile_command("web", env)
        site_log = workdir / "web.log"
        say(f"{' '.join(args.command)} on {base} (log {site_log})")
        site = procs.start(args.command, env, site_log)
        wait_for(base + "/healthz", site, 60, "the web process", site_log)
        pid = worker_pid(site.pid)
        try:
            result = asyncio.run(measure(args, base=base, upstream=upstream, info=info, pid=pid, say=say))
        except FileNotFoundError:
            if Path(f"/proc/{pid}").exists():
                raise
            tail = "\n".join(site_log.read_text(errors="replace").splitlines()[-15:])
            raise SystemExit(
                f"The worker ({pid}) ended during the run. The web process's log ends:\n{tail}"
            ) from None
        markdown = report(args, result, pool_size=env.get("DB_POOL_SIZE", "10 (default)"))
        # What the web process logged as failures, by exception (the last line of each traceback).
        logged = site_log.read_text(errors="replace").splitlines()
        failures = Counter(line for line in logged if EXCEPTION_LINE.match(line))
        if failures:
            markdown += "\n\nThe web process logged: " + "; ".join(
                f"{count} × `{line[:200]}`" for line, count in failures.most_common(5)
            )
            say(f"the web process logged {sum(failures.values())} exceptions (log {site_log})")
        print(markdown)
        if args.output:
            Path(args.output).write_text(markdown + "\n")
        say("done")
        # Not a pass unless every stream of every round finished and left its usage row.
        return 0 if all(x["done"] == x["usage_rows"] == x["streams"] for x in result["rounds"]) else 1
    finally:
        procs.stop_all()


if __name__ == "__main__":
    sys.exit(main())
