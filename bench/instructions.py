"""Instructions per page request, counted by valgrind's callgrind: the same figure whatever else the machine
is doing, so two versions of the code compare exactly where wall-clock runs on a shared machine do not.

    .venv/bin/python bench/instructions.py                       # this tree, on amp_bench
    .venv/bin/python bench/instructions.py --tree /tmp/old-main  # another checkout (e.g. a git worktree)

Needs valgrind (Debian's package), the benchmark database and the collected static files of the tree
measured (bench/run.py seeds the one and collects the other). Each page is
requested through Django's test client with production settings (DEBUG off, the anonymous page cache off,
so every request renders); the counters are zeroed before and read after --repeat requests of one page.
Counts cover this Python process (views, templates, ORM, driver), not PostgreSQL's work: the query counts
that tests pin say whether that changed. Prints one line per page in millions of instructions per request.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SEARCHES = ["translation", "maritime", "fast+chat", "python+code", "summ", "vector+retrieval"]


def pages(popular: str) -> dict[str, tuple[str, list[str]]]:
    """Name → (persona, paths): the page rows of bench/run.py."""
    return {
        "bare": ("anonymous", ["/__bench__/bare"]),
        "home": ("anonymous", ["/"]),
        "catalog": ("anonymous", ["/models/"]),
        "search": ("anonymous", [f"/models/?q={q}" for q in SEARCHES]),
        "search_signed_in": ("heaviest", [f"/models/?q={q}" for q in SEARCHES]),
        "filtered": ("anonymous", ["/models/?category=text_generation&min_rating=3&sort=popular&page=2"]),
        "model": ("anonymous", [f"/models/{popular}/"]),
        "model_signed_in": ("heaviest", [f"/models/{popular}/"]),
        "dashboard_30": ("busiest", ["/dashboard/?days=30"]),
        "dashboard_90": ("busiest", ["/dashboard/?days=90"]),
        "history": ("heaviest", ["/me/history/"]),
    }


def requester(tree: str, database_url: str, repeat: int, flags: str) -> None:
    """The measured process: warm every page, then for each page wait to be zeroed, request it, wait to be
    read. It polls for the controller's flag files rather than blocking, because callgrind takes commands
    only while the program runs."""
    sys.path.insert(0, tree)
    os.chdir(tree)
    os.environ.update(
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
        BENCH_ENDPOINTS="1",
        DATABASE_URL=database_url,
        ANONYMOUS_PAGE_CACHE_SECONDS="0",
    )
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.test import Client

    from accounts.models import User
    from bench.seed_scale import BUSIEST, HEAVIEST
    from catalog.models import AIModel

    clients = {"anonymous": Client(), "heaviest": Client(), "busiest": Client()}
    clients["heaviest"].force_login(User.objects.get(username=HEAVIEST))
    clients["busiest"].force_login(User.objects.get(username=BUSIEST))
    popular = AIModel.objects.order_by("-total_requests").values_list("api_name", flat=True).first()
    rows = pages(popular)
    for persona, paths in rows.values():
        for path in paths * 2:
            status = clients[persona].get(path).status_code
            if status != 200:
                raise SystemExit(f"{path} answered {status}")

    def wait(flag: str) -> None:
        while not os.path.exists(os.path.join(flags, flag)):
            time.sleep(0.02)

    for name, (persona, paths) in rows.items():
        print(f"PAGE {name}", flush=True)
        wait(f"go-{name}")
        for i in range(repeat):
            clients[persona].get(paths[i % len(paths)])
        print(f"DONE {name}", flush=True)
        wait(f"read-{name}")
    print("END", flush=True)


def controller(args: argparse.Namespace) -> int:
    flags, dumps = tempfile.mkdtemp(), tempfile.mkdtemp()
    command = [
        "valgrind", "--tool=callgrind", f"--callgrind-out-file={dumps}/cg.%p", f"--log-file={dumps}/valgrind.log",
        sys.executable, __file__, "--requester", "--tree", args.tree, "--repeat", str(args.repeat),
        "--database-url", args.database_url, "--flags", flags,
    ]  # fmt: skip
    # A fixed hash seed, so dict and set layouts, and the instructions they cost, repeat from run to run.
    env = dict(os.environ, PYTHONHASHSEED="0")
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    results: dict[str, float] = {}
    for line in child.stdout:
        word, _, name = line.strip().partition(" ")
        if word == "PAGE":
            subprocess.run(["callgrind_control", "--zero", str(child.pid)], check=True, capture_output=True)
            Path(flags, f"go-{name}").touch()
        elif word == "DONE":
            before = set(glob.glob(f"{dumps}/cg.*"))
            subprocess.run(["callgrind_control", "--dump", str(child.pid)], check=True, capture_output=True)
            dump = max(set(glob.glob(f"{dumps}/cg.*")) - before, key=os.path.getmtime)
            total = re.search(r"^(?:summary|totals):\s+(\d+)", Path(dump).read_text(), re.MULTILINE)
            assert total, dump
            results[name] = int(total.group(1)) / args.repeat / 1e6
            print(f"{name:18} {results[name]:8.2f} M instructions per request", flush=True)
            Path(flags, f"read-{name}").touch()
        elif word == "END":
            break
    if child.wait() != 0:
        print(f"The measured process failed (exit {child.returncode}); valgrind's log: {dumps}/valgrind.log")
        return 1
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=1))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Instructions per page request, counted by callgrind.")
    parser.add_argument("--tree", default=str(BASE_DIR), help="the checkout whose code is measured")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/amp_bench")
    parser.add_argument("--repeat", type=int, default=10, help="requests per page")
    parser.add_argument("--output", default="", help="also write the figures here as JSON")
    parser.add_argument("--requester", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--flags", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.requester:
        requester(args.tree, args.database_url, args.repeat, args.flags)
        return 0
    return controller(args)


if __name__ == "__main__":
    sys.exit(main())
