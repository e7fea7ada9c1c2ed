"""api_usage_logs partitioned by month (migration 0017) and kept by `manage.py usage_log_partitions`.

The migration is run on data (back to 0016 and forward again); the command's steps are run against the test
database inside each test's transaction (PostgreSQL's DDL is transactional), with `today` given, so each
month is placed where the test says.
"""

import csv
import datetime as dt
import gzip
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from activity import partitions
from activity.models import ApiUsageLog
from activity.tests.factories import ApiUsageLogFactory
from catalog.tests.factories import AIModelFactory

UTC = dt.UTC
BEFORE, AFTER = ("activity", "0018_call_media_rules"), ("activity", "0019_partition_usage_logs")
COLUMNS = [
    "log_id", "api_key_used", "request_method", "response_code", "request_size", "response_size",
    "processing_time_ms", "created_at", "developer_id", "model_id", "user_id", "first_chunk_ms",
]  # fmt: skip


def rows(query: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def value(query: str, params=None):
    found = rows(query, params)
    return found[0][0] if found else None


def counters() -> dict[str, list[tuple]]:
    """Everything the triggers keep from api_usage_logs, and the logs themselves."""
    return {
        "total_requests": rows("SELECT model_id, total_requests FROM models ORDER BY model_id"),
        "daily": rows(
            "SELECT model_id, day, calls, successes, refused, server_errors, processing_ms_total,"
            " latency_buckets, interactions, revenue FROM model_daily_stats ORDER BY model_id, day"
        ),
        "logs": rows(f"SELECT {', '.join(COLUMNS)} FROM api_usage_logs ORDER BY log_id"),
    }


def insert_log(model, created_at: dt.datetime, code: int = 200, ms: int = 100) -> str:
    """A log row written by plain SQL, as any client of the database may."""
    return str(
        value(
            "INSERT INTO api_usage_logs (model_id, developer_id, response_code, processing_time_ms, created_at)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING log_id",
            [model.pk, model.developer_id, code, ms, created_at],
        )
    )


def partition_of(log_id: str) -> str:
    return value("SELECT tableoid::regclass::text FROM api_usage_logs WHERE log_id = %s", [log_id])


def month_tables() -> set[str]:
    return {
        name
        for (name,) in rows(
            "SELECT relname FROM pg_class WHERE relname ~ '^api_usage_logs_([0-9]{4}_[0-9]{2}|default)$'"
            " AND relkind = 'r'"
        )
    }


def attached() -> set[str]:
    return {
        name
        for (name,) in rows(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'api_usage_logs'::regclass"
        )
    }


def at(year: int, month: int, day: int = 15, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def maintain(tmp_path, *, today: dt.date, retention: int = 0, mode: str = "archive", ahead: int = 3):
    # Rows written earlier in the test's transaction leave deferred foreign-key checks pending, and
    # PostgreSQL refuses to alter a table with pending trigger events: run them now, as a commit would.
    rows("SET CONSTRAINTS ALL IMMEDIATE")
    return partitions.maintain(
        connection=connection,
        today=today,
        ahead=ahead,
        retention_months=retention,
        mode=mode,
        archive_dir=tmp_path,
    )


# --- the migration -------------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_every_row_into_its_month_and_leaves_the_counters_as_they_were(dana):
    models = AIModelFactory.create_batch(2, developer=dana)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        assert value("SELECT relkind FROM pg_class WHERE relname = 'api_usage_logs'") == "r"
        now = dt.datetime.now(UTC)
        this_month = partitions.month_start(now.date())
        stamps = [
            at(2024, 11, 30, 23),  # the last hour of a month (UTC)
            at(2024, 12, 1, 0),  # the first of the next
            at(2025, 6, 10),
            now - dt.timedelta(minutes=5),
        ]
        written = {}
        for index, stamp in enumerate(stamps):
            for model in models:
                for code in (200, 404, 502):
                    written[insert_log(model, stamp, code, 50 + index)] = stamp
        before = counters()
        assert len(before["logs"]) == 24
        assert sum(n for _, n in before["total_requests"]) == 8

        MigrationExecutor(connection).migrate([AFTER])

        assert value("SELECT relkind FROM pg_class WHERE relname = 'api_usage_logs'") == "p"
        assert counters() == before
        for log_id, stamp in written.items():
            assert partition_of(log_id) == f"api_usage_logs_{stamp:%Y_%m}"
        months = [dt.date(2024, 11, 1)]
        while months[-1] < partitions.add_months(this_month, 3):
            months.append(partitions.add_months(months[-1], 1))
        assert attached() == {partitions.partition_name(m) for m in months} | {
            "api_usage_logs_before",
            "api_usage_logs_after",
        }
        assert value("SELECT count(*) FROM api_usage_logs_before") == 0
        assert value("SELECT count(*) FROM api_usage_logs_after") == 0
        assert value(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'api_usage_logs_pkey'"
        ) == ("PRIMARY KEY (log_id, created_at)")
        assert value("SELECT to_regclass('api_usage_logs_unpartitioned')") is None

        # The triggers are back, once: a new row counts, exactly once.
        insert_log(models[0], now)
        assert value("SELECT total_requests FROM models WHERE model_id = %s", [models[0].pk]) == 5

        # And the way back keeps them too.
        after = counters()
        MigrationExecutor(connection).migrate([BEFORE])
        assert value("SELECT relkind FROM pg_class WHERE relname = 'api_usage_logs'") == "r"
        assert counters() == after
    finally:
        MigrationExecutor(connection).migrate([AFTER])


@pytest.mark.django_db
def test_the_table_keeps_its_keys_indexes_and_triggers():
    assert value(
        "SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint"
        " WHERE conrelid = 'api_usage_logs'::regclass AND contype = 'f'"
    ) == (
        "api_usage_logs_developer_id_e448ee5c_fk_developers_developer_id,"
        "api_usage_logs_model_id_a53bf70a_fk_models_model_id,api_usage_logs_user_id_13f9cbd8_fk_users_user_id"
    )
    indexes = {
        name for (name,) in rows("SELECT indexname FROM pg_indexes WHERE tablename = 'api_usage_logs'")
    }
    assert indexes == {
        "api_usage_logs_pkey",
        "api_usage_logs_model_ts_idx",
        "api_usage_logs_dev_ts_idx",
        "api_usage_logs_user_ts_idx",
    }
    triggers = rows(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'api_usage_logs'::regclass AND NOT tgisinternal ORDER BY 1"
    )
    assert triggers == [("api_usage_logs_count_insert_delete",), ("api_usage_logs_count_update",)]


# --- writes and reads ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_log_lands_in_its_months_partition(model):
    now = dt.datetime.now(UTC)
    log = ApiUsageLogFactory(model=model)
    assert partition_of(str(log.log_id)) == f"api_usage_logs_{now:%Y_%m}"
    assert ApiUsageLog.objects.get(pk=log.pk).response_code == 200


@pytest.mark.django_db
def test_a_log_outside_every_month_lands_at_an_end_and_counts(model):
    old, future = insert_log(model, at(2001, 3)), insert_log(model, at(2999, 3))
    assert partition_of(old) == "api_usage_logs_before"
    assert partition_of(future) == "api_usage_logs_after"
    assert value("SELECT total_requests FROM models WHERE model_id = %s", [model.pk]) == 2


@pytest.mark.django_db
def test_moving_a_log_to_another_month_moves_its_day_once(model):
    now = dt.datetime.now(UTC)
    log_id = insert_log(model, now)
    next_month = dt.datetime.combine(partitions.add_months(now.date().replace(day=1), 1), dt.time(1), UTC)
    rows("UPDATE api_usage_logs SET created_at = %s WHERE log_id = %s", [next_month, log_id])
    assert partition_of(log_id) == f"api_usage_logs_{next_month:%Y_%m}"
    assert rows("SELECT day, calls FROM model_daily_stats WHERE model_id = %s ORDER BY day", [model.pk]) == [
        (now.date(), 0),
        (next_month.date(), 1),
    ]
    assert value("SELECT total_requests FROM models WHERE model_id = %s", [model.pk]) == 1


@pytest.mark.django_db
def test_a_models_newest_logs_read_the_months_in_order_from_the_newest(model):
    """No Merge Append over every month (which a DEFAULT partition would force): the page's query reads
    the months newest first and stops when it has its rows."""
    plan = ApiUsageLog.objects.filter(model=model).order_by("-created_at", "-log_id")[:51].explain()
    assert "Merge Append" not in plan
    assert "Append" in plan


# --- the command -----------------------------------------------------------------------------------------
THIS_MONTH = partitions.month_start(dt.date.today())


def month(offset: int) -> dt.date:
    """A month counted from this one (the test database's months run from this one to three after)."""
    return partitions.add_months(THIS_MONTH, offset)


def during(offset: int, day: int = 15, hour: int = 12) -> dt.datetime:
    found = month(offset)
    return at(found.year, found.month, day, hour)


def name(offset: int) -> str:
    return partitions.partition_name(month(offset))


@pytest.mark.django_db
def test_it_creates_the_months_ahead_and_moves_the_rows_that_fell_past_the_last(tmp_path, model):
    late = [
        insert_log(model, during(5, 1, 0)),
        insert_log(model, during(6), 500),
        insert_log(model, during(9)),
    ]
    assert {partition_of(log_id) for log_id in late} == {"api_usage_logs_after"}
    before = counters()

    report = maintain(tmp_path, today=during(4).date(), ahead=2)

    assert report.created == [name(4), name(5), name(6)]
    assert report.moved_rows == 2
    assert [partition_of(log_id) for log_id in late] == [name(5), name(6), "api_usage_logs_after"]
    assert {name(4), name(5), name(6), "api_usage_logs_after"} <= attached()
    assert counters() == before
    # Each new partition carries the table's indexes and triggers: its rows count when deleted.
    assert value(f"SELECT count(*) FROM pg_indexes WHERE tablename = '{name(6)}'") == 4
    assert value("SELECT total_requests FROM models WHERE model_id = %s", [model.pk]) == 2  # two 2xx
    rows("DELETE FROM api_usage_logs WHERE log_id = %s", [late[0]])
    assert value("SELECT total_requests FROM models WHERE model_id = %s", [model.pk]) == 1
    # And every time still has a partition.
    insert_log(model, during(7))
    insert_log(model, at(2999, 1))


@pytest.mark.django_db
def test_it_archives_months_past_the_retention_to_gzip_csv_and_drops_them(tmp_path, model):
    other = AIModelFactory()
    archived = {insert_log(model, during(0, 1, 0)), insert_log(other, during(0, 28, 23), 404)}
    kept = insert_log(model, during(1, 1, 0))
    before = counters()

    report = maintain(tmp_path, today=during(3).date(), retention=2)  # keeps months 1, 2 and 3

    assert report.detached == [name(0)]
    assert report.dropped == [name(0)]
    path = tmp_path / f"{name(0)}.csv.gz"
    assert report.archived == [path]
    with gzip.open(path, "rt", newline="") as packed:
        table = list(csv.reader(packed))
    assert table[0] == COLUMNS
    assert {line[0] for line in table[1:]} == archived
    by_id = {line[0]: dict(zip(COLUMNS, line, strict=True)) for line in table[1:]}
    assert sorted(line["response_code"] for line in by_id.values()) == ["200", "404"]
    assert not list(tmp_path.glob(".*"))  # no partial file left
    assert name(0) not in month_tables()
    assert value("SELECT count(*) FROM api_usage_logs WHERE log_id::text = ANY(%s)", [list(archived)]) == 0
    assert partition_of(kept) == name(1)
    # Counters and rollups still count the archived calls: nothing was deleted row by row.
    after = counters()
    assert after["total_requests"] == before["total_requests"]
    assert after["daily"] == before["daily"]
    # The archived month's time now belongs to api_usage_logs_before: an insert there still succeeds.
    assert partition_of(insert_log(model, during(0))) == "api_usage_logs_before"


@pytest.mark.django_db
def test_drop_mode_drops_old_months_without_a_file(tmp_path, model):
    insert_log(model, during(0))
    before = counters()
    report = maintain(tmp_path, today=during(3).date(), retention=2, mode="drop")
    assert report.dropped == [name(0)]
    assert report.archived == []
    assert list(tmp_path.iterdir()) == []
    assert name(0) not in month_tables()
    assert counters()["daily"] == before["daily"]


@pytest.mark.django_db
def test_a_second_run_does_nothing_more(tmp_path, model):
    insert_log(model, during(0))
    insert_log(model, during(5))
    first = maintain(tmp_path, today=during(4).date(), retention=2)
    assert first.archived and first.created
    tables, files = month_tables(), {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    state = counters()
    second = maintain(tmp_path, today=during(4).date(), retention=2)
    assert second.lines() == ["Nothing to do."]
    assert month_tables() == tables
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files
    assert counters() == state


@pytest.mark.django_db
def test_a_month_detached_by_a_run_that_stopped_is_archived_by_the_next(tmp_path, model):
    log_id = insert_log(model, during(0))
    maintain(tmp_path, today=during(3).date(), retention=2)
    assert (tmp_path / f"{name(0)}.csv.gz").exists()
    insert_log(model, during(1))
    # A run detaches month 1, then stops before archiving it.
    rows(f'ALTER TABLE api_usage_logs DETACH PARTITION "{name(1)}"')
    report = maintain(tmp_path, today=during(4).date(), retention=2)
    assert report.detached == []
    assert report.dropped == [name(1)]
    with gzip.open(tmp_path / f"{name(0)}.csv.gz", "rt") as packed:
        assert [line[0] for line in csv.reader(packed)][1:] == [log_id]


@pytest.mark.django_db
def test_without_retention_every_month_is_kept(tmp_path, model):
    maintain(tmp_path, today=during(30).date())
    report = maintain(tmp_path, today=during(30).date())
    assert report.detached == report.dropped == []
    assert name(0) in attached()
    assert name(33) in attached()


@pytest.mark.django_db
def test_a_run_that_finds_another_running_does_nothing(tmp_path):
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [partitions.ADVISORY_LOCK])
        report = maintain(tmp_path, today=during(10).date())
        assert report.skipped
        assert report.lines() == ["Another run holds the lock; nothing done."]
        assert name(10) not in attached()
    finally:
        other.close()


@pytest.mark.django_db
def test_the_command_reads_its_settings(tmp_path, settings, model):
    settings.USAGE_LOG_PARTITIONS_AHEAD = 5
    settings.USAGE_LOG_RETENTION_MONTHS = 0
    settings.USAGE_LOG_ARCHIVE_DIR = tmp_path
    insert_log(model, during(5))
    rows("SET CONSTRAINTS ALL IMMEDIATE")
    out = io.StringIO()
    call_command("usage_log_partitions", stdout=out)
    assert out.getvalue().splitlines() == [
        f"Created partition {name(4)}.",
        f"Created partition {name(5)}.",
        "Moved 1 rows from api_usage_logs_after into their months.",
    ]
    out = io.StringIO()
    call_command("usage_log_partitions", stdout=out)
    assert out.getvalue() == "Nothing to do.\n"


def test_an_unknown_archive_mode_stops_start_up():
    env = {**os.environ, "USAGE_LOG_ARCHIVE": "zip", "DJANGO_SETTINGS_MODULE": "config.settings"}
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode != 0
    assert "USAGE_LOG_ARCHIVE must be archive or drop, not 'zip'." in started.stderr
