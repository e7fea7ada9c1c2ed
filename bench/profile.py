"""Where a page spends its time, on the benchmark database: SQL (with EXPLAIN ANALYZE) and Python.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amp_bench \\
        .venv/bin/python bench/profile.py /dashboard/?days=90 --as busiest --explain 5 [--python]

Requests the page through Django's test client with production settings (DEBUG off), as an anonymous
visitor, bench-busiest or bench-heaviest; prints the time of each request, each query with its time, and
EXPLAIN (ANALYZE, BUFFERS) of the queries slower than --explain ms; --python adds a pyinstrument profile
(pip install pyinstrument).
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def main() -> int:
    parser = argparse.ArgumentParser(description="Profile pages on the benchmark database.")
    parser.add_argument("paths", nargs="+")
    parser.add_argument(
        "--as", dest="persona", choices=["anonymous", "busiest", "heaviest"], default="anonymous"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--explain", type=float, default=None, metavar="MS", help="EXPLAIN ANALYZE queries over MS"
    )
    parser.add_argument("--python", action="store_true", help="pyinstrument profile of one request")
    parser.add_argument("--full-sql", action="store_true", help="print whole queries, not their start")
    args = parser.parse_args()

    os.environ.update(
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from bench.seed_scale import BUSIEST, HEAVIEST

    client = Client()
    if args.persona != "anonymous":
        client.force_login(User.objects.get(username=BUSIEST if args.persona == "busiest" else HEAVIEST))

    for path in args.paths:
        response = client.get(path)
        if response.status_code != 200:
            print(f"{path}: {response.status_code}")
            continue
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"\n{path} as {args.persona}: median {statistics.median(times):.1f} ms, "
            f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms over {len(times)} requests"
        )
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        total = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(f"{len(captured.captured_queries)} queries, {total:.1f} ms in SQL")
        for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"])):
            ms = float(query["time"]) * 1000
            print(f"  {ms:7.1f} ms  {query['sql'] if args.full_sql else query['sql'][:160]}")
            if args.explain is not None and ms >= args.explain:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print("\n".join("        " + row[0] for row in cursor.fetchall()))
        if args.python:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(5):
                    client.get(path)
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
