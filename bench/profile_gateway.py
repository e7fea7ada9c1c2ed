"""Where one gateway call spends its time: each step's wall-clock and CPU time, on the benchmark database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amp_bench \\
        .venv/bin/python bench/profile_gateway.py [--calls 300] [--pause-ms 50] [--upstream-ms 0]

Starts the demo upstream, prepares the database as bench/run.py does (bench/prepare.py, so run it on a
seeded benchmark database), then sends invoke calls with a personal key through Django's WSGI handler in
this process: production settings and the whole middleware stack, without gunicorn and without a second
call in flight. Calls are --pause-ms apart, so that this process and its PostgreSQL backend go idle
between calls as they do while calls wait for a model (0: back to back, caches warm). --upstream-ms > 0
calls the demo's /slow route, which answers after that pause, instead of its echo.

Do not run it while bench/run.py runs: preparing revokes that run's API key and repoints its models.

Prints, per step, the median wall-clock time and the mean CPU time of this process (the thread's own;
PostgreSQL's and the upstream's CPU are their processes'): the model and key lookup, the quota
reservation, the upstream call, the log and history insert, and the whole request.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from functools import wraps
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import run  # noqa: E402

STEPS = ["lookup", "quota", "upstream", "record"]


def timed(module, name: str, step: str, spent: dict) -> None:
    """Wrap module.name so that each call adds its wall and CPU seconds to spent[step]."""
    original = getattr(module, name)

    @wraps(original)
    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[step][0] += time.perf_counter() - wall
            spent[step][1] += time.thread_time() - cpu

    setattr(module, name, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description="Time the steps of gateway calls on the benchmark database.")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--pause-ms", type=float, default=50, help="idle time between calls")
    parser.add_argument("--upstream-ms", type=float, default=0, help="the upstream's answer time (/slow)")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", run.DEFAULT_URL)
    port = run.free_port()
    upstream = f"http://127.0.0.1:{port}"
    env = run.server_env(database_url, secrets.token_urlsafe(50), upstream)
    log = Path(os.devnull)
    child = subprocess.Popen(
        [run.PYTHON, "manage.py", "demo_upstream", "--port", str(port)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        run.wait_for(upstream + "/", child, 30, "the demo upstream", log)
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        return profile(args, upstream)
    finally:
        child.terminate()
        child.wait(timeout=10)


def profile(args, upstream: str) -> int:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    from activity.gateway import call, service
    from bench.prepare import prepare

    info = prepare(upstream=upstream)
    model = info["popular"]
    parameters = {}
    if args.upstream_ms:
        model, parameters = info["paced"], {"seconds": args.upstream_ms / 1000}
    path = f"/api/v1/models/{model}/invoke"
    body = json.dumps({"prompt": run.PROMPT, "parameters": parameters}).encode()

    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    timed(call.rows, "call_rows", "lookup", spent)
    timed(service, "quota_reserve", "quota", spent)
    timed(service, "call_upstream", "upstream", spent)
    timed(call, "call_record", "record", spent)
    handler = WSGIHandler()
    requests = RequestFactory(SERVER_NAME="127.0.0.1")

    def one_call() -> None:
        statuses = []
        environ = requests.post(
            path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {info['api_key']}"
        ).environ
        wall, cpu = time.perf_counter(), time.thread_time()
        response = handler(environ, lambda status, headers: statuses.append(status))
        b"".join(response)
        response.close()
        spent["request"][0] += time.perf_counter() - wall
        spent["request"][1] += time.thread_time() - cpu
        if not statuses[0].startswith("200"):
            raise SystemExit(f"{path} answered {statuses[0]}")

    for _ in range(20):  # connections, prepared statements, caches
        one_call()
    samples: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _ in range(args.calls):
        spent.clear()
        time.sleep(args.pause_ms / 1000)
        one_call()
        for step, (wall, cpu) in spent.items():
            samples[step].append((wall * 1000, cpu * 1000))

    def row(label: str, values: list[tuple[float, float]]) -> str:
        walls, cpus = [wall for wall, _ in values], [cpu for _, cpu in values]
        return f"| {label} | {statistics.median(walls):.2f} | {statistics.fmean(cpus):.2f} |"

    requests = samples["request"]
    rest = [
        (wall - sum(samples[s][i][0] for s in STEPS), cpu - sum(samples[s][i][1] for s in STEPS))
        for i, (wall, cpu) in enumerate(requests)
    ]
    print(
        f"{args.calls} calls to {model}, {args.pause_ms:g} ms apart, upstream "
        + (f"answering after {args.upstream_ms:g} ms" if args.upstream_ms else "echo")
        + "\n\n| step | wall ms (median) | CPU ms (mean) |\n| --- | ---: | ---: |"
    )
    labels = {
        "lookup": "model and key lookup (1 statement)",
        "quota": "quota reservation (1 statement, commit)",
        "upstream": "upstream call",
        "record": "log and history insert, counter triggers (1 statement, commit)",
    }
    for step in STEPS:
        print(row(labels[step], samples[step]))
    print(row("everything else: Django, middleware, Ninja, parsing, the answer", rest))
    print(row("whole request", requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
