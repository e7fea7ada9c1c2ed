"""Two databases side by side: the rows of bench/run.py that touch api_usage_logs, measured on each in
interleaved rounds, and the ratio of the second to the first.

Made for changes of the schema: seed one database with the code before (`bench/run.py` or
`bench/seed_scale.py`), copy it (`CREATE DATABASE b TEMPLATE a`), migrate the copy with the code after, and
run this with the code after against both. Each database gets its own gunicorn (the Procfile's web: line,
production settings, as bench/run.py starts it) and bench/prepare.py's sessions and keys; one demo upstream
serves both. Before the rounds, both databases' big tables are vacuumed and analysed, as autovacuum would
have done after the migration's copy.

    .venv/bin/python bench/ab.py --before postgres://…/amp_bench --after postgres://…/amp_bench_part \\
        [--rounds 3] [--duration 6] [--only gateway,logs]
"""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import run as bench  # noqa: E402

VACUUMED = ("api_usage_logs", "user_history", *bench.COUNTER_TABLES)


def rows_for(site: bench.Site, week: tuple[str, str]) -> list[tuple[bench.Row, int]]:
    """(row, connections): the gateway's call writes a log row and, with bench-heaviest's personal key, a
    history row; the history search reads user_history; the dashboard pages read the rollups and the logs
    page and its export read api_usage_logs itself."""
    info = site.info
    body = json.dumps({"prompt": bench.PROMPT, "parameters": {}})
    api = {"Authorization": f"Bearer {info['api_key']}", "Content-Type": "application/json"}
    busiest = site.cookie("busiest")
    popular = info["popular"]
    rows = [
        (bench.Row("gateway", "gateway call (invoke, writes a log and a history row)",
                   [f"/api/v1/models/{popular}/invoke"], method="POST", body=body, headers=api), 4),
        # The history's text search (activity 0020's trigram index): a word most prompts of the seed hold
        # and one few do, as bench-heaviest.
        (bench.Row("history_search", "history search, heaviest user (q=contract, q=outage)",
                   ["/me/history/?q=contract", "/me/history/?q=outage"], headers=site.cookie("heaviest")), 2),
        (bench.Row("dashboard_30", "dashboard, busiest developer, 30 days", ["/dashboard/?days=30"],
                   headers=busiest), 2),
        (bench.Row("dashboard_90", "dashboard, busiest developer, 90 days", ["/dashboard/?days=90"],
                   headers=busiest), 2),
        (bench.Row("logs", "dashboard logs, all models (newest page)", ["/dashboard/logs/"],
                   headers=busiest), 2),
        (bench.Row("logs_model", "dashboard logs, one model", [f"/dashboard/logs/?model={popular}"],
                   headers=busiest), 2),
        (bench.Row("logs_5xx", "dashboard logs, 5xx of all models", ["/dashboard/logs/?status=5xx"],
                   headers=busiest), 2),
        (bench.Row("logs_range", "dashboard logs, one model, a week a year ago",
                   [f"/dashboard/logs/?model={popular}&date_from={week[0]}&date_to={week[1]}"],
                   headers=busiest), 2),
    ]  # fmt: skip
    for row, _ in rows:
        row.base = site.base
    return rows


def vacuum(url: str, say) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for table in VACUUMED:
            started = time.perf_counter()
            conn.execute(f"VACUUM (ANALYZE) {table}")
            say(
                f"  {urlsplit(url).path.lstrip('/')}: VACUUM (ANALYZE) {table} {time.perf_counter() - started:.1f} s"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Interleaved A/B of the log-touching rows on two databases.")
    parser.add_argument("--before", required=True, help="database URL of the code before")
    parser.add_argument("--after", required=True, help="database URL of the code after")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=6, help="seconds of load per measure")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated row keys")
    parser.add_argument("--output", default="")
    args = parser.parse_args(argv)
    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="bench-ab-"))
    procs = bench.Processes()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (procs.stop_all(), sys.exit(130)))
    try:
        return _run(args, workdir, procs, say)
    finally:
        procs.stop_all()


def _run(args, workdir: Path, procs: bench.Processes, say) -> int:
    import datetime as dt

    for url in (args.before, args.after):
        vacuum(url, say)
    env = bench.server_env(args.before, secrets.token_urlsafe(50), "http://127.0.0.1:8001")
    say("collectstatic")
    subprocess.run(
        [bench.PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    port = bench.free_port()
    upstream = f"http://127.0.0.1:{port}"
    log = workdir / "upstream.log"
    child = procs.start([bench.PYTHON, "manage.py", "demo_upstream", "--port", str(port)], env, log)
    bench.wait_for(upstream + "/", child, 30, "the demo upstream", log)
    year_ago = dt.date.today() - dt.timedelta(days=365)
    sites = {}
    for side, url in (("before", args.before), ("after", args.after)):
        say(f"gunicorn on {urlsplit(url).path.lstrip('/')} ({side})")
        site = bench.Site(
            procs, database_url=url, upstream=upstream, workers=args.workers, logdir=workdir, say=say
        )
        sites[side] = site
    week = (year_ago.isoformat(), (year_ago + dt.timedelta(days=6)).isoformat())
    load = bench.Load(duration=args.duration, warmup=args.warmup, workdir=workdir, say=say)
    rows = {side: rows_for(site, week) for side, site in sites.items()}
    only = {key for key in args.only.split(",") if key}
    results: dict[tuple[str, str], list[bench.Measure]] = {}
    labels: dict[str, tuple[str, int]] = {}
    for number in range(1, args.rounds + 1):
        for index in range(len(rows["before"])):
            # Alternate which side goes first, so that neither always follows the other's load.
            order = ("before", "after") if (number + index) % 2 else ("after", "before")
            for side in order:
                row, connections = rows[side][index]
                if only and row.key not in only:
                    continue
                labels[row.key] = (row.label, connections)
                if number == 1:
                    load.check(row, keep_alive=row.key == "gateway")
                turn = bench.Row(f"{row.key}_{side}", row.label, row.paths, row.method, row.body, row.headers,
                                 row.base)  # fmt: skip
                measure = load.run(turn, connections)
                load.settle(row.base)
                results.setdefault((row.key, side), []).append(measure)
                say(f"round {number} {side:6} {row.label}: {measure.rps:,.1f} req/s, p50 {measure.p50:.1f} ms, "
                    f"p99 {measure.p99:.1f} ms")  # fmt: skip
    lines = [
        f"Run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; before {urlsplit(args.before).path.lstrip('/')}, "
        f"after {urlsplit(args.after).path.lstrip('/')}; {args.rounds} interleaved rounds of {args.duration} s "
        f"(after {args.warmup} s warm-up) per row and side; {args.workers} workers each. req/s: mean of the "
        "rounds; p50, p99: median round's; ratio: after ÷ before (req/s), per round, median [min–max].",
        "",
        "| row | conns | req/s before | req/s after | ratio | p50 ms before | p50 ms after | p99 ms before | p99 ms after |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, (label, connections) in labels.items():
        before, after = results[(key, "before")], results[(key, "after")]
        ratios = sorted(a.rps / b.rps for a, b in zip(after, before, strict=True) if b.rps)
        b, a = bench.combine(before), bench.combine(after)
        lines.append(
            f"| {label} | {connections} | {b.rps:,.1f} | {a.rps:,.1f} | {statistics.median(ratios):.2f}× "
            f"[{ratios[0]:.2f}–{ratios[-1]:.2f}] | {b.p50:.1f} | {a.p50:.1f} | {b.p99:.1f} | {a.p99:.1f} |"
        )
    markdown = "\n".join(lines)
    print(markdown)
    if args.output:
        Path(args.output).write_text(markdown + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
