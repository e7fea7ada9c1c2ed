"""The history page's text search and what its trigram index costs the gateway, on one database, in one run.

Two measures, each with the index `user_history_prompt_trgm_idx` (activity migration 0020) and without it,
in interleaved rounds; "without" drops the index inside a transaction that is rolled back, so the database
is left as it was (it must be one you may write to: never a database someone else reads):

- **insert**: the gateway's own history INSERT (activity.gateway.records.HISTORY_INSERT, its triggers
  firing), one statement per row as calls write them, `--inserts` rows per round with prompts taken from
  the database, in a transaction rolled back at the end of the round. The GIN index takes new entries into
  its pending list and merges that list into the index once it passes gin_pending_list_limit (4 MB): a
  round of a few thousand rows includes those merges, so the figure is the cost per row, merges shared.
- **search**: EXPLAIN ANALYZE of the page's queries for the user with the most rows, for each `--words`:
  before, the exact COUNT(*) and the page's ids, without the index (what the page ran); after, the count
  capped at 10,001 matches and the page's ids, with it (activity.views.history._searched_page); with
  `--window`, also the one query of both (COUNT(*) OVER ()), which was tried and dropped.

    .venv/bin/python bench/history_search.py --database-url postgres://…/amp_docsacct_big \\
        [--rounds 3] [--inserts 5000] [--words xylophone,portugal,term1]

Prints a Markdown table; `--output FILE` also writes it there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

INDEX = "user_history_prompt_trgm_idx"
PAGE = 25
WHERE = "UPPER(prompt::text) LIKE UPPER(%(pattern)s) AND user_id = %(user)s"
ORDER = "ORDER BY request_timestamp DESC, history_id DESC"
COUNT_SQL = f"SELECT COUNT(*) FROM user_history WHERE {WHERE}"
PAGE_SQL = f"SELECT history_id FROM user_history WHERE {WHERE} {ORDER} LIMIT {PAGE}"
CAP = 10_000  # activity.views.history.SEARCH_COUNT_CAP
CAPPED_COUNT_SQL = (
    f"SELECT COUNT(*) FROM (SELECT history_id FROM user_history WHERE {WHERE} LIMIT {CAP + 1}) matches"
)
WINDOW_SQL = f"SELECT history_id, COUNT(*) OVER () FROM user_history WHERE {WHERE} {ORDER} LIMIT {PAGE}"


def history_insert_sql(database_url: str) -> str:
    """The gateway's statement itself (a rule lives once), read with Django set up on this database."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["DATABASE_URL"] = database_url
    django.setup()
    from activity.gateway.records import HISTORY_INSERT

    return HISTORY_INSERT


def pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def explain_ms(conn, sql: str, params: dict) -> tuple[float, str]:
    rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params).fetchone()[0]
    plan = rows[0] if isinstance(rows, list) else json.loads(rows)[0]
    node = plan["Plan"]
    names = []
    while node:
        names.append(node.get("Index Name") or node["Node Type"])
        node = (node.get("Plans") or [None])[0]
    return plan["Execution Time"], " → ".join(names)


def search_round(conn, *, user, word: str, with_index: bool, window: bool) -> dict:
    """Before: the exact count and the page, without the index. After: the count capped at CAP and the page,
    with it (activity.views.history._searched_page); with --window also the one query of both that was
    tried and dropped."""
    params = {"pattern": pattern(word), "user": user}
    with conn.transaction(force_rollback=True):
        if not with_index:
            conn.execute(f"DROP INDEX {INDEX}")
            count_ms, count_plan = explain_ms(conn, COUNT_SQL, params)
            page_ms, page_plan = explain_ms(conn, PAGE_SQL, params)
            return {"ms": count_ms + page_ms, "plan": f"{count_plan}; {page_plan}"}
        count_ms, count_plan = explain_ms(conn, CAPPED_COUNT_SQL, params)
        page_ms, page_plan = explain_ms(conn, PAGE_SQL, params)
        result = {"ms": count_ms + page_ms, "plan": f"{count_plan}; {page_plan}"}
        if window:
            result["window_ms"], result["window_plan"] = explain_ms(conn, WINDOW_SQL, params)
        return result


def insert_round(conn, *, sql: str, user, model, prompts: list[str], rows: int, with_index: bool) -> float:
    """Milliseconds per inserted row."""
    now = dt.datetime.now(dt.UTC)
    with conn.transaction(force_rollback=True):
        if not with_index:
            conn.execute(f"DROP INDEX {INDEX}")
        started = time.perf_counter()
        for n in range(rows):
            conn.execute(
                sql,
                [
                    uuid.uuid4(),
                    user,
                    model,
                    f"bench-{uuid.uuid4().hex[:12]}",
                    prompts[n % len(prompts)],
                    "An answer of the usual length for a short prompt.",
                    "completed",
                    now - dt.timedelta(microseconds=n),
                    120,
                    0,
                    None,
                    None,
                    "bench",
                ],
                prepare=True,
            )
        return (time.perf_counter() - started) * 1000 / rows


def main(argv: list[str] | None = None) -> int:
    import psycopg

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--inserts", type=int, default=5000, help="history rows per insert round")
    parser.add_argument(
        "--words", default="", help="comma-separated search words (default: three from the data)"
    )
    parser.add_argument("--window", action="store_true", help="also time COUNT(*) OVER () beside the page")
    parser.add_argument("--output", default="")
    args = parser.parse_args(argv)
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731

    sql = history_insert_sql(args.database_url)
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [INDEX]).fetchone()
        if not exists:
            raise SystemExit(f"{INDEX} is not in this database: migrate it first (activity 0020).")
        user, rows = conn.execute(
            "SELECT user_id, count(*) FROM user_history GROUP BY user_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        model = conn.execute(
            "SELECT model_id FROM user_history WHERE user_id = %s LIMIT 1", [user]
        ).fetchone()[0]
        prompts = [
            row[0]
            for row in conn.execute(
                "SELECT prompt FROM user_history TABLESAMPLE SYSTEM (1) WHERE prompt <> '' LIMIT 2000"
            ).fetchall()
        ] or ["a prompt of the usual length about the sea and its tides"]
        words = [word for word in args.words.split(",") if word] or sample_words(prompts)
        say(f"heaviest user {user}: {rows:,} history rows; words {words}")
        inserts: dict[bool, list[float]] = {True: [], False: []}
        searches: dict[tuple[str, bool], list[dict]] = {}
        for number in range(1, args.rounds + 1):
            order = (False, True) if number % 2 else (True, False)
            for with_index in order:
                ms = insert_round(
                    conn,
                    sql=sql,
                    user=user,
                    model=model,
                    prompts=prompts,
                    rows=args.inserts,
                    with_index=with_index,
                )
                inserts[with_index].append(ms)
                say(f"round {number} insert {'with' if with_index else 'without'} index: {ms:.3f} ms/row")
                for word in words:
                    result = search_round(
                        conn, user=user, word=word, with_index=with_index, window=args.window
                    )
                    searches.setdefault((word, with_index), []).append(result)
                    say(
                        f"round {number} search {word!r} {'with' if with_index else 'without'}: {result['ms']:.1f} ms"
                    )
        counts = {
            word: conn.execute(COUNT_SQL, {"pattern": pattern(word), "user": user}).fetchone()[0]
            for word in words
        }
    lines = [
        f"Run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; the heaviest user has {rows:,} history rows; "
        f"{args.rounds} interleaved rounds; insert: {args.inserts:,} rows per round; medians of the rounds, "
        "ratio with ÷ without per round, median [min–max].",
        "",
        "| measure | without the index | with the index | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    ratios = sorted(a / b for a, b in zip(inserts[True], inserts[False], strict=True))
    lines.append(
        f"| history INSERT (gateway's statement), ms per row | {statistics.median(inserts[False]):.3f} | "
        f"{statistics.median(inserts[True]):.3f} | {statistics.median(ratios):.2f}× [{ratios[0]:.2f}–{ratios[-1]:.2f}] |"
    )
    for word in words:
        before = [r["ms"] for r in searches[(word, False)]]
        after = [r["ms"] for r in searches[(word, True)]]
        ratios = sorted(a / b for a, b in zip(after, before, strict=True))
        lines.append(
            f"| search `{word}` ({counts[word]:,} matches), ms: count and page (capped count after) | "
            f"{statistics.median(before):.1f} | {statistics.median(after):.1f} | {statistics.median(ratios):.3f}× |"
        )
    if args.window:
        for word in words:
            window = statistics.median(r["window_ms"] for r in searches[(word, True)])
            lines.append(
                f"| search `{word}`, one query with COUNT(*) OVER () (dropped), ms | | {window:.1f} | |"
            )
    lines += ["", "Plans (last round):", ""]
    for word in words:
        for with_index in (False, True):
            lines.append(
                f"- `{word}` {'with' if with_index else 'without'}: {searches[(word, with_index)][-1]['plan']}"
            )
    markdown = "\n".join(lines)
    print(markdown)
    if args.output:
        Path(args.output).write_text(markdown + "\n")
    return 0


def sample_words(prompts: list[str]) -> list[str]:
    """A rare, a middling and a common word of the prompts (by how many sampled prompts hold them)."""
    seen: dict[str, int] = {}
    for prompt in prompts:
        for word in {w.lower() for w in prompt.split() if len(w) >= 4 and w.isalpha()}:
            seen[word] = seen.get(word, 0) + 1
    ranked = sorted(seen, key=lambda w: (seen[w], w))
    if not ranked:
        return ["sea"]
    picks = [ranked[0], ranked[len(ranked) // 2], ranked[-1]]
    random.Random(1).shuffle(picks)
    return sorted(set(picks), key=lambda w: seen[w])


if __name__ == "__main__":
    sys.exit(main())
