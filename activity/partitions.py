"""The monthly partitions of api_usage_logs (migration 0017): created ahead, refilled from the partition
past the last month, and detached past the retention, each detached month archived to a gzip CSV file or
dropped.

`maintain()` is what `manage.py usage_log_partitions` runs (daily, from beat). It is safe to repeat: each
step looks at what the database holds now, so a second run finds nothing to do, and a run stopped half way
(a month detached but not yet archived) is finished by the next one. Two runs never overlap: a run that
cannot take the advisory lock does nothing.

The partitions: months named api_usage_logs_YYYY_MM, each [first of the month, first of the next) in UTC,
with no gap between them; api_usage_logs_before holds rows older than the first month (only rows written
with an old created_at by hand: the gateway stamps the current time) and api_usage_logs_after rows past the
last month. With every time covered, an insert never fails. When months are created ahead, the rows that
fell into api_usage_logs_after for them move into them; when old months are detached,
api_usage_logs_before grows to cover their range (and keeps its own rows, which retention leaves alone).

Nothing here fires the counting triggers: a detached, archived or dropped month leaves models.total_requests
and model_daily_stats as they were (they count every call ever logged), and rows moved out of
api_usage_logs_after are copied into a table that is not yet a partition and deleted from that partition
while it is detached (a detached partition loses the triggers it had from api_usage_logs).
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PARENT = "api_usage_logs"
BEFORE = "api_usage_logs_before"
AFTER = "api_usage_logs_after"
MONTH_NAME = re.compile(r"^api_usage_logs_(\d{4})_(\d{2})$")
ARCHIVE_MODES = ("archive", "drop")
# A DDL statement that waits longer than this for its lock gives up (the next run tries again), so that the
# gateway's inserts, queued behind it, never wait long.
LOCK_TIMEOUT = "5s"
# The advisory lock a run holds (pg_try_advisory_lock): the ASCII of "usage_lo".
ADVISORY_LOCK = 0x7573_6167_655F_6C6F


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"{PARENT}_{month:%Y_%m}"


def month_of(name: str) -> dt.date | None:
    found = MONTH_NAME.match(name)
    return dt.date(int(found[1]), int(found[2]), 1) if found else None


def _bounds(month: dt.date) -> tuple[str, str]:
    """The month's bounds as SQL literals (DDL takes no parameters), UTC midnights."""
    return f"'{month:%Y-%m-%d} 00:00:00+00'", f"'{add_months(month, 1):%Y-%m-%d} 00:00:00+00'"


def _month_tables(cursor, *, attached: bool) -> dict[dt.date, str]:
    """Month tables of api_usage_logs: its partitions, or (attached=False) those detached from it."""
    cursor.execute(
        """
        SELECT c.relname
          FROM pg_class c
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
           AND c.relname ~ '^api_usage_logs_[0-9]{4}_[0-9]{2}$'
           AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid AND i.inhparent = %s::regclass)
               = %s
        """,
        [PARENT, attached],
    )
    months = {month_of(name): name for (name,) in cursor.fetchall()}
    return {month: name for month, name in months.items() if month is not None}


def is_partitioned(cursor) -> bool:
    cursor.execute("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(%s)", [PARENT])
    row = cursor.fetchone()
    return bool(row and row[0])


def attach_month(cursor, month: dt.date, *, rows_from: str | None = None) -> str:
    """Create the month's partition: a table like api_usage_logs (columns, defaults, checks), filled with
    the month's rows of `rows_from` if given, then attached, which builds the partition's indexes, foreign
    keys and triggers from api_usage_logs' (the copied rows fire none of them)."""
    name = partition_name(month)
    start, end = _bounds(month)
    cursor.execute(f'CREATE TABLE "{name}" (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
    if rows_from is not None:
        cursor.execute(
            f'INSERT INTO "{name}" SELECT * FROM "{rows_from}" WHERE created_at >= {start} AND created_at < {end}'
        )
    _attach_range(cursor, name, f"created_at >= {start} AND created_at < {end}", f"FROM ({start}) TO ({end})")
    return name


def attached_months(cursor) -> list[dt.date]:
    return sorted(_month_tables(cursor, attached=True))


def ensure_months(cursor, last: dt.date) -> tuple[list[str], int]:
    """Month partitions up to `last` (the month included), taken from the front of api_usage_logs_after
    with the rows it holds for them; the names created and the rows moved. In the caller's transaction:
    api_usage_logs_after is detached meanwhile, so inserts wait for it (a few milliseconds while that
    partition is empty, as it is when this runs daily)."""
    months = attached_months(cursor)
    if months and months[-1] >= last:
        return [], 0
    first = add_months(months[-1], 1) if months else month_start(last)
    new = [first]
    while new[-1] < last:
        new.append(add_months(new[-1], 1))
    _, end = _bounds(new[-1])
    cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {AFTER}")
    created = [attach_month(cursor, month, rows_from=AFTER) for month in new]
    cursor.execute(f"DELETE FROM {AFTER} WHERE created_at < {end}")  # detached: no trigger fires
    moved = cursor.rowcount
    _attach_range(cursor, AFTER, f"created_at >= {end}", f"FROM ({end}) TO (MAXVALUE)")
    return created, moved


def ensure_months_from(cursor, first: dt.date) -> tuple[list[str], int]:
    """Month partitions back to `first` (included), taken from the end of api_usage_logs_before with the
    rows it holds for them; the names created and the rows moved. For loading old rows in bulk
    (bench/seed_scale.py): the months exist before the rows come."""
    months = attached_months(cursor)
    if not months or months[0] <= first:
        return [], 0
    new = [add_months(months[0], -1)]
    while new[-1] > first:
        new.append(add_months(new[-1], -1))
    start, _ = _bounds(new[-1])
    cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {BEFORE}")
    created = [attach_month(cursor, month, rows_from=BEFORE) for month in reversed(new)]
    cursor.execute(f"DELETE FROM {BEFORE} WHERE created_at >= {start}")  # detached: no trigger fires
    moved = cursor.rowcount
    _attach_range(cursor, BEFORE, f"created_at < {start}", f"FROM (MINVALUE) TO ({start})")
    return created, moved


def _attach_range(cursor, name: str, check: str, bounds: str) -> None:
    """Attach `name` for `bounds`; the bounds as a constraint first spare ATTACH its own scan."""
    cursor.execute(f'ALTER TABLE "{name}" ADD CONSTRAINT "{name}_bounds" CHECK ({check})')
    cursor.execute(f'ALTER TABLE {PARENT} ATTACH PARTITION "{name}" FOR VALUES {bounds}')
    cursor.execute(f'ALTER TABLE "{name}" DROP CONSTRAINT "{name}_bounds"')


def detach_before(cursor, cutoff: dt.date) -> list[str]:
    """Detach the months before `cutoff` and let api_usage_logs_before cover their time, in the caller's
    transaction (so that no insert finds that time without a partition). The names detached."""
    months = attached_months(cursor)
    old = [month for month in months if month < cutoff]
    if not old:
        return []
    if len(old) == len(months):
        raise RuntimeError("the retention would detach every month: keep the current month at least")
    names = [partition_name(month) for month in old]
    for name in names:
        cursor.execute(f'ALTER TABLE {PARENT} DETACH PARTITION "{name}"')
    start, _ = _bounds(months[len(old)])
    cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {BEFORE}")
    _attach_range(cursor, BEFORE, f"created_at < {start}", f"FROM (MINVALUE) TO ({start})")
    return names


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    moved_rows: int = 0
    detached: list[str] = field(default_factory=list)
    archived: list[Path] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    skipped: bool = False

    def lines(self) -> list[str]:
        if self.skipped:
            return ["Another run holds the lock; nothing done."]
        lines = [f"Created partition {name}." for name in self.created]
        if self.moved_rows:
            lines.append(f"Moved {self.moved_rows} rows from {AFTER} into their months.")
        lines += [f"Detached {name}." for name in self.detached]
        lines += [f"Archived to {path}." for path in self.archived]
        lines += [f"Dropped {name}." for name in self.dropped]
        return lines or ["Nothing to do."]


def maintain(
    *,
    connection: Any,
    today: dt.date,
    ahead: int,
    retention_months: int,
    mode: str,
    archive_dir: Path,
) -> Report:
    """One run: create this month's partition and the next `ahead` months' (with the rows that fell past
    the last month), detach the months that ended more than `retention_months` whole months before this
    one began (0: keep every month) and archive or drop them (`mode`). `connection` is Django's."""
    if mode not in ARCHIVE_MODES:
        raise ValueError(f"USAGE_LOG_ARCHIVE must be one of {', '.join(ARCHIVE_MODES)}, not {mode!r}")
    if ahead < 0 or retention_months < 0:
        raise ValueError("USAGE_LOG_PARTITIONS_AHEAD and USAGE_LOG_RETENTION_MONTHS cannot be negative")
    from django.db import transaction

    report = Report()
    this_month = month_start(today)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK])
        if not cursor.fetchone()[0]:
            report.skipped = True
            return report
        try:
            if not is_partitioned(cursor):
                raise RuntimeError(f"{PARENT} is not partitioned: migrate first")
            with transaction.atomic(using=connection.alias):
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                report.created, report.moved_rows = ensure_months(cursor, add_months(this_month, ahead))
            if retention_months > 0:
                cutoff = add_months(this_month, -retention_months)
                with transaction.atomic(using=connection.alias):
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                    report.detached = detach_before(cursor, cutoff)
                # Detached by this run, or by a run that stopped before it archived them.
                for month, name in sorted(_month_tables(cursor, attached=False).items()):
                    if month >= cutoff:
                        continue
                    if mode == "archive":
                        report.archived.append(archive_table(cursor, name, archive_dir))
                    cursor.execute(f'DROP TABLE "{name}"')
                    report.dropped.append(name)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])
    return report


def archive_table(cursor, name: str, archive_dir: Path) -> Path:
    """Write the table's rows to `archive_dir`/<name>.csv.gz (CSV with a header row, gzip): written under
    a temporary name, flushed to disk, then renamed, so that a file of that name is always complete."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    final = archive_dir / f"{name}.csv.gz"
    partial = archive_dir / f".{name}.csv.gz.partial"
    with open(partial, "wb") as raw:
        with (
            gzip.GzipFile(filename=f"{name}.csv", mode="wb", fileobj=raw, mtime=0) as packed,
            cursor.copy(f'COPY "{name}" TO STDOUT WITH (FORMAT csv, HEADER)') as copy,
        ):
            for chunk in copy:
                packed.write(chunk)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(partial, final)
    directory = os.open(archive_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return final
