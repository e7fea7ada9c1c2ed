"""The site's chat call beside the same call through two well-known gateways, in one run.

    .venv/bin/python bench/peers.py [--rounds 3] [--duration 3] [--calls 500]

Standalone it starts what it needs (the demo upstream, the site on the bench database as bench/run.py
does); bench/run.py calls compare() with its own (`--peers`, on by default). Three gateways stand in front
of the demo upstream's OpenAI-shaped /chat/completions (`manage.py demo_upstream`):

- this site: POST /api/v1/chat/completions with a model key (bench/prepare.py), started as the Procfile's
  web: line runs it. Per call it checks the key, reserves the month's quota and writes a usage row;
- LiteLLM's proxy: PyPI `litellm[proxy]`, installed by this script into a virtualenv of its own
  (.data/peers/litellm-venv), with no database and a config whose one model is the demo upstream as an
  OpenAI-compatible `api_base`;
- Portkey's open-source gateway: npm `@portkey-ai/gateway`, installed by this script into .data/peers/portkey
  and run with node; each call names the openai provider and the demo upstream as its custom host in
  headers.

Each round measures, one after the other, the upstream alone and each gateway with the same body on the
same route: p50 at one connection, p50 and p99 at four (wrk, keep-alive: every server is checked to keep
the connection open first), and CPU per call: utime + stime from /proc of the gateway's processes (and, for
the site, of its PostgreSQL backends) before and after a fixed number of calls at four connections. The
table gives each figure's median over the rounds; "added" is the gateway's figure less the upstream's of
the same round. Access logs are off everywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
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
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import run  # noqa: E402

PEERS_DIR = BASE_DIR / ".data" / "peers"  # .data/ is not committed
LITELLM_VENV = PEERS_DIR / "litellm-venv"
PORTKEY_DIR = PEERS_DIR / "portkey"
# Pinned, so that two runs compare the same peers; move them on deliberately.
LITELLM_VERSION = "1.108.7"
PORTKEY_VERSION = "1.15.2"
PEER_MODEL = "demo-chat"  # the name LiteLLM routes by, and what Portkey passes on
PEER_KEY = "bench-unused"  # what Portkey passes on as the provider's key; the upstream ignores it
CONNECTIONS = 4
TICKS = os.sysconf("SC_CLK_TCK")

# Stops wrk's one thread after a fixed number of answers and says so; wrk's main thread sleeps out its
# duration unless interrupted, so cpu_per_call() sends it SIGINT on that line (it then prints its summary).
LIMIT_LUA = """
local limit, answered = {LIMIT}, 0
response = function(status, headers, body)
  answered = answered + 1
  if answered == limit then
    wrk.thread:stop()
    io.write("BENCH_LIMIT\\n")
    io.stdout:flush()
  end
end
"""


# --- CPU time from /proc ------------------------------------------------------------------------------------
def proc_stat(pid: int) -> tuple[int, float] | None:
    """(session id, utime + stime in seconds) of a process, or None when it is gone. Threads included."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name may hold spaces; fields after it from state on
    return int(fields[3]), (int(fields[11]) + int(fields[12])) / TICKS


def session_cpu(session: int) -> float:
    """CPU seconds used so far by every live process of a session (a server started in its own session
    by run.Processes: the master and its workers)."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat and stat[0] == session:
                total += stat[1]
    return total


class Backends:
    """CPU of the PostgreSQL backends serving one database (the site's pooled connections), read from /proc:
    PostgreSQL runs on this machine."""

    def __init__(self, database_url: str):
        import psycopg

        self.conn = psycopg.connect(database_url, autocommit=True)

    def cpu(self) -> dict[int, float]:
        pids = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
        seconds = {}
        for (pid,) in pids:
            stat = proc_stat(pid)
            if stat:
                seconds[pid] = stat[1]
        return seconds

    def close(self) -> None:
        self.conn.close()


# --- the gateways -------------------------------------------------------------------------------------------
@dataclass
class Gateway:
    key: str
    name: str
    version: str
    server: str
    per_call: str
    row: run.Row
    session: int  # the process session whose CPU is the gateway's
    backends: Backends | None = None
    results: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        self.results.setdefault(name, []).append(value)

    def median(self, name: str) -> float | None:
        values = self.results.get(name)
        return statistics.median(values) if values else None


def chat_body(model: str) -> str:
    return json.dumps({"model": model, "messages": [{"role": "user", "content": run.PROMPT}]})


def install_litellm(say) -> str:
    python = LITELLM_VENV / "bin" / "python"
    if not python.exists():
        say(f"creating a virtualenv for LiteLLM in {LITELLM_VENV.relative_to(BASE_DIR)}")
        subprocess.run([sys.executable, "-m", "venv", str(LITELLM_VENV)], check=True)
    version = installed_litellm()
    if version != LITELLM_VERSION:
        say(f"installing litellm[proxy]=={LITELLM_VERSION} (found {version or 'none'})")
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"litellm[proxy]=={LITELLM_VERSION}"], check=True
        )
        version = installed_litellm()
    if version != LITELLM_VERSION:
        raise SystemExit(f"LiteLLM {LITELLM_VERSION} did not install (found {version}).")
    return version


def installed_litellm() -> str | None:
    python = LITELLM_VENV / "bin" / "python"
    found = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() if found.returncode == 0 else None


def install_portkey(say) -> str:
    manifest = PORTKEY_DIR / "node_modules" / "@portkey-ai" / "gateway" / "package.json"
    version = json.loads(manifest.read_text())["version"] if manifest.exists() else None
    if version != PORTKEY_VERSION:
        if not shutil.which("npm"):
            raise SystemExit("npm is missing: Portkey's gateway is installed from the npm registry.")
        say(f"installing @portkey-ai/gateway@{PORTKEY_VERSION} (found {version or 'none'})")
        PORTKEY_DIR.mkdir(parents=True, exist_ok=True)
        package = PORTKEY_DIR / "package.json"
        if not package.exists():
            package.write_text(json.dumps({"name": "amp-bench-portkey", "private": True}) + "\n")
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", f"@portkey-ai/gateway@{PORTKEY_VERSION}"],
            cwd=PORTKEY_DIR,
            check=True,
        )
        version = json.loads(manifest.read_text())["version"]
    return version


def peer_env() -> dict[str, str]:
    """The environment a peer starts with: none of the site's settings (LiteLLM would take DATABASE_URL
    for its own database)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE")
    return {k: v for k, v in os.environ.items() if k in keep}


def start_litellm(procs: run.Processes, *, upstream: str, workers: int, workdir: Path, say) -> Gateway:
    version = install_litellm(say)
    port = run.free_port()
    # Without a database LiteLLM has no key store; it refuses to start without its one master key, which it
    # then compares with each call's bearer token.
    master_key = "sk-" + secrets.token_hex(32)
    # JSON is YAML: the config needs no YAML writer here.
    config = workdir / "litellm.yaml"
    config.write_text(
        json.dumps(
            {
                "model_list": [
                    {
                        "model_name": PEER_MODEL,
                        "litellm_params": {
                            "model": f"openai/{PEER_MODEL}",
                            "api_base": upstream,
                            "api_key": PEER_KEY,
                        },
                    }
                ],
                "litellm_settings": {"telemetry": False},
                "general_settings": {"master_key": master_key},
            }
        )
    )
    # uvicorn's access log off (no handler): as for the site.
    log_config = workdir / "litellm-logging.json"
    log_config.write_text(
        json.dumps(
            {
                "version": 1,
                "disable_existing_loggers": False,
                "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
                "loggers": {
                    "uvicorn": {"handlers": ["stderr"], "level": "WARNING"},
                    "uvicorn.error": {"level": "WARNING"},
                    "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
                },
            }
        )
    )
    env = {
        **peer_env(),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # no fetch of the price list at start: no network here
        "LITELLM_LOG": "ERROR",
        "PYTHONUNBUFFERED": "1",
    }
    log = workdir / "litellm.log"
    child = procs.start(
        [
            str(LITELLM_VENV / "bin" / "litellm"),
            "--config",
            str(config),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--num_workers",
            str(workers),
            "--log_config",
            str(log_config),
        ],
        env,
        log,
    )
    base = f"http://127.0.0.1:{port}"
    run.wait_for(base + "/health/liveliness", child, 180, "LiteLLM's proxy", log)
    row = run.Row(
        "litellm",
        "LiteLLM proxy",
        ["/v1/chat/completions"],
        method="POST",
        body=chat_body(PEER_MODEL),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {master_key}"},
        base=base,
    )
    python = subprocess.run(
        [str(LITELLM_VENV / "bin" / "python"), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return Gateway(
        "litellm",
        "LiteLLM proxy",
        f"litellm {version} (Python {python})",
        f"uvicorn, {workers} workers (`--num_workers`)",
        "compares the bearer token with its one master key; no database: no key store, quota or spend log; "
        "routes by model name and rebuilds the OpenAI answer",
        row,
        child.pid,
    )


def start_portkey(procs: run.Processes, *, upstream: str, workdir: Path, say) -> Gateway:
    version = install_portkey(say)
    node = shutil.which("node")
    if not node:
        raise SystemExit("node is missing: Portkey's gateway runs on Node.js.")
    port = run.free_port()
    server = PORTKEY_DIR / "node_modules" / "@portkey-ai" / "gateway" / "build" / "start-server.js"
    log = workdir / "portkey.log"
    env = {**peer_env(), "NODE_ENV": "production"}
    child = procs.start([node, str(server), f"--port={port}", "--headless"], env, log)
    base = f"http://127.0.0.1:{port}"
    run.wait_for(base + "/", child, 60, "Portkey's gateway", log)
    row = run.Row(
        "portkey",
        "Portkey gateway",
        ["/v1/chat/completions"],
        method="POST",
        body=chat_body(PEER_MODEL),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {PEER_KEY}",
            "x-portkey-provider": "openai",
            "x-portkey-custom-host": upstream,
        },
        base=base,
    )
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout
    return Gateway(
        "portkey",
        "Portkey gateway",
        f"@portkey-ai/gateway {version} (Node {node_version.strip().lstrip('v')})",
        "node, 1 process (its server runs one)",
        "no key check, no database, no log kept; provider and upstream host from the call's headers",
        row,
        child.pid,
    )


def site_gateway(site: run.Site, *, database_url: str, workers: int) -> Gateway:
    info = site.info
    if not info.get("chat") or not info.get("chat_key"):
        raise SystemExit("bench/prepare.py found no model for the chat call (is the database seeded?).")
    row = run.Row(
        "site",
        "this site",
        ["/api/v1/chat/completions"],
        method="POST",
        body=chat_body(info["chat"]),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {info['chat_key']}"},
        base=site.base,
    )
    return Gateway(
        "site",
        "this site",
        site.code,
        f"gunicorn (Procfile), {workers} uvicorn workers, PostgreSQL pool",
        "checks the model key, reserves the month's quota (an upsert), writes a usage-log row (its triggers "
        "keep the counters and the daily rollup): PostgreSQL, committed before the answer",
        row,
        site.child.pid,
        backends=Backends(database_url),
    )


# --- measuring ----------------------------------------------------------------------------------------------
def answers_chat(row: run.Row) -> None:
    """One call must answer 200 with an OpenAI chat completion, on a connection the server keeps open."""
    request = urllib.request.Request(
        row.base + row.paths[0], data=(row.body or "").encode(), headers=row.headers, method=row.method
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            data = json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{row.label}: {exc.code} {exc.read()[:500]!r}") from exc
    if not isinstance(data, dict) or not data.get("choices"):
        raise SystemExit(f"{row.label}: not a chat completion: {str(data)[:500]}")
    problem = run.keep_alive_problem(row.base, row.paths[0], row.method, row.body, row.headers)
    if problem:
        raise SystemExit(f"{row.label}: the connection is not kept alive: {problem}.")


def cpu_per_call(load: run.Load, gateway: Gateway, calls: int) -> tuple[float, float, int]:
    """Milliseconds of CPU per call in the gateway's processes and in its PostgreSQL backends, over
    `calls` calls at CONNECTIONS connections."""
    row = gateway.row
    script = load.script(run.Row(f"{row.key}-cpu", row.label, row.paths, row.method, row.body, row.headers))
    script.write_text(script.read_text() + LIMIT_LUA.replace("{LIMIT}", str(calls)))
    app_before = session_cpu(gateway.session)
    db_before = gateway.backends.cpu() if gateway.backends else {}
    wrk = subprocess.Popen(
        ["wrk", "-t1", f"-c{CONNECTIONS}", "-d300s", "--timeout", "10s", "-s", str(script), row.base],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wrk.stdout is not None
    for line in wrk.stdout:
        if line.startswith("BENCH_LIMIT"):
            wrk.send_signal(signal.SIGINT)
            break
    stdout, stderr = wrk.communicate(timeout=60)
    time.sleep(0.3)  # the calls still in flight when wrk stopped finish (and are counted below)
    app = session_cpu(gateway.session) - app_before
    db = 0.0
    if gateway.backends:
        after = gateway.backends.cpu()
        db = sum(seconds - db_before.get(pid, 0.0) for pid, seconds in after.items())
    match = re.search(r"BENCH_JSON (\{.*\})", stdout)
    if not match:
        raise SystemExit(f"wrk gave no figures for {row.label}:\n{stdout}\n{stderr}")
    data = json.loads(match.group(1))
    if data["status_errors"] or data["socket_errors"]:
        load.say(f"  ! {row.label}: {data['status_errors'] + data['socket_errors']} calls failed")
    done = data["requests"] + CONNECTIONS - 1  # wrk stops with the others' calls in flight: served too
    return app * 1000 / done, db * 1000 / done, data["requests"]


def compare(
    *,
    procs: run.Processes,
    site: run.Site,
    upstream: str,
    upstream_child,
    database_url: str,
    workers: int,
    rounds: int,
    duration: int,
    warmup: int,
    workdir: Path,
    say,
    calls: int = 1000,
) -> str:
    """Start the peers beside the running site and upstream, measure all in interleaved rounds, stop the
    peers, and return the Markdown table."""
    direct = Gateway(
        "upstream",
        "upstream alone",
        "`manage.py demo_upstream`",
        "Python ThreadingHTTPServer",
        "answers (the demo's /chat/completions)",
        run.Row(
            "upstream",
            "demo upstream alone",
            ["/chat/completions"],
            method="POST",
            body=chat_body(PEER_MODEL),
            headers={"Content-Type": "application/json"},
            base=upstream,
        ),
        upstream_child.pid,
    )
    ours = site_gateway(site, database_url=database_url, workers=workers)
    started = []
    try:
        say("starting LiteLLM's proxy")
        litellm = start_litellm(procs, upstream=upstream, workers=workers, workdir=workdir, say=say)
        started.append(litellm)
        say("starting Portkey's gateway")
        portkey = start_portkey(procs, upstream=upstream, workdir=workdir, say=say)
        started.append(portkey)
        everyone = [direct, ours, litellm, portkey]
        for gateway in everyone:
            answers_chat(gateway.row)
        load = run.Load(duration=duration, warmup=warmup, workdir=workdir, say=say)
        for number in range(1, rounds + 1):
            for gateway in everyone:
                say(f"peers, round {number} of {rounds}: {gateway.name}")
                one = load.run(gateway.row, 1)
                four = load.run(gateway.row, CONNECTIONS)
                app, db, _ = cpu_per_call(load, gateway, calls)
                gateway.add("p50_1", one.p50)
                gateway.add("p50_4", four.p50)
                gateway.add("p99_4", four.p99)
                gateway.add("rps_4", four.rps)
                gateway.add("cpu_app", app)
                gateway.add("cpu_db", db)
                gateway.add("cpu", app + db)
                say(
                    f"  p50 {one.p50:.2f} ms (1 connection), p50 {four.p50:.2f} / p99 {four.p99:.2f} ms "
                    f"(4), CPU {app:.2f} + {db:.2f} ms per call"
                )
            for gateway in everyone[1:]:
                for name in ("p50_1", "p50_4", "p99_4"):
                    gateway.add(f"added_{name}", gateway.results[name][-1] - direct.results[name][-1])
    finally:
        sessions = {gateway.session for gateway in started}
        for child in [c for c in procs.children if c.pid in sessions]:
            procs.stop(child)
        if ours.backends:
            ours.backends.close()
    return table(everyone, rounds=rounds, duration=duration, warmup=warmup, calls=calls)


def table(everyone: list[Gateway], *, rounds: int, duration: int, warmup: int, calls: int) -> str:
    direct, ours = everyone[0], everyone[1]

    def cell(gateway: Gateway, name: str, digits: int = 2) -> str:
        value = gateway.median(name)
        return "—" if value is None else f"{value:,.{digits}f}"

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = "/".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"Peers, run of {now} on {os.cpu_count()} cores, load average at the end {load} (1/5/15 min): the same chat call (`POST …/chat/completions`, one "
        f"user message) through each gateway to the demo upstream's `/chat/completions`, and to the upstream "
        f"alone. {rounds} interleaved rounds (upstream, this site, LiteLLM, Portkey, then again); each figure "
        f"is the median over the rounds, and \"added\" the gateway's figure less the upstream's of the same "
        f"round. Latency: wrk, keep-alive (checked), {duration} s after {warmup} s warm-up. CPU per call: "
        f"utime + stime from /proc of the gateway's processes (and of the site's PostgreSQL backends) over "
        f"{calls:,} calls at {CONNECTIONS} connections. Access logs off everywhere.",
        "",
        "| | " + " | ".join(g.name for g in everyone) + " |",
        "| --- | " + " | ".join("---" for _ in everyone) + " |",
        "| version | " + " | ".join(g.version for g in everyone) + " |",
        "| server | " + " | ".join(g.server for g in everyone) + " |",
        "| per call | " + " | ".join(g.per_call for g in everyone) + " |",
    ]
    rows = [
        ("p50 ms, 1 connection", "p50_1", False),
        ("added p50 ms, 1 connection", "added_p50_1", True),
        (f"p50 ms, {CONNECTIONS} connections", "p50_4", False),
        (f"added p50 ms, {CONNECTIONS} connections", "added_p50_4", True),
        (f"p99 ms, {CONNECTIONS} connections", "p99_4", False),
        (f"added p99 ms, {CONNECTIONS} connections", "added_p99_4", True),
        (f"calls/s, {CONNECTIONS} connections", "rps_4", False),
        ("CPU ms per call, the gateway's processes", "cpu_app", False),
        ("CPU ms per call, its PostgreSQL backends", "cpu_db", False),
        ("CPU ms per call, in all", "cpu", False),
    ]
    for label, name, added in rows:
        cells = []
        for gateway in everyone:
            if (added and gateway is direct) or (name == "cpu_db" and gateway.backends is None):
                cells.append("—")
            else:
                cells.append(cell(gateway, name, 0 if name == "rps_4" else 2))
        bold = label.startswith("added") or label.endswith("in all")
        lines.append(f"| {'**' + label + '**' if bold else label} | " + " | ".join(cells) + " |")

    targets = [
        ("added p50 at 1 connection", "added_p50_1", 2.0),
        (f"added p50 at {CONNECTIONS} connections", "added_p50_4", 5.0),
        (f"added p99 at {CONNECTIONS} connections", "added_p99_4", 10.0),
        ("CPU per call (app + PostgreSQL)", "cpu", 2.0),
    ]
    lines += ["", "| this site's target | result | met |", "| --- | ---: | --- |"]
    for label, name, limit in targets:
        value = ours.median(name)
        ok = value is not None and value <= limit
        lines.append(f"| {label} ≤ {limit:g} ms | {cell(ours, name)} ms | {run.mark(ok)} |")
    return "\n".join(lines)


# --- standalone ---------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The site's chat call beside LiteLLM's and Portkey's.")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", run.DEFAULT_URL))
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--duration", type=int, default=3, help="seconds of load per latency measure")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of untimed load before each")
    parser.add_argument("--calls", type=int, default=500, help="calls per CPU measure")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes per gateway")
    parser.add_argument("--output", default="", help="also write the Markdown here")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="bench-peers-"))
    procs = run.Processes()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (procs.stop_all(), sys.exit(130)))
    try:
        env = run.server_env(args.database_url, secrets.token_urlsafe(50), "http://127.0.0.1:8001")
        run.ensure_database(args.database_url, scale=1.0, reseed=False, env=env, say=say)
        subprocess.run(
            [run.PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
        port = run.free_port()
        upstream = f"http://127.0.0.1:{port}"
        log = workdir / "upstream.log"
        upstream_child = procs.start(
            [run.PYTHON, "manage.py", "demo_upstream", "--port", str(port)], env, log
        )
        run.wait_for(upstream + "/", upstream_child, 30, "the demo upstream", log)
        say(f"the site on {urlsplit(args.database_url).path.lstrip('/')} ({args.workers} workers)")
        site = run.Site(
            procs,
            database_url=args.database_url,
            upstream=upstream,
            workers=args.workers,
            logdir=workdir,
            say=say,
        )
        markdown = compare(
            procs=procs,
            site=site,
            upstream=upstream,
            upstream_child=upstream_child,
            database_url=args.database_url,
            workers=args.workers,
            rounds=args.rounds,
            duration=args.duration,
            warmup=args.warmup,
            workdir=workdir,
            say=say,
            calls=args.calls,
        )
    finally:
        procs.stop_all()
    print(markdown)
    if args.output:
        Path(args.output).write_text(markdown + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
