"""bench/seed_scale.py: loads with triggers off, then its set-based counters must equal the triggers' own."""

import psycopg
import pytest

from bench import seed_scale
from tests_perf.conftest import database_conninfo, empty_seeded_tables

# Counters and rollups as the triggers keep them; ids of derived rows are left out (they are random).
SNAPSHOTS = {
    "developers": "SELECT developer_id, total_models_created FROM developers ORDER BY 1",
    "models": """SELECT model_id, total_requests, total_users, rating_count, rating_sum, average_rating
                   FROM models ORDER BY 1""",
    "reviews": "SELECT review_id, helpful_votes FROM model_reviews ORDER BY 1",
    "model_users": "SELECT model_id, user_id, interactions FROM model_users ORDER BY 1, 2",
    "user_history_counts": (
        "SELECT user_id, status, interactions, cost_total, response_time_ms_total, response_time_count "
        "FROM user_history_counts ORDER BY 1, 2"
    ),
    "model_daily_stats": """SELECT model_id, day, calls, successes, refused, server_errors,
                                   processing_ms_total, latency_buckets, interactions, revenue
                              FROM model_daily_stats ORDER BY 1, 2""",
}
COUNTERS = {
    "models": "total_requests = 0, total_users = 0, rating_count = 0, rating_sum = 0, average_rating = 0",
    "model_reviews": "helpful_votes = 0",
}
# Parents before children, so the triggers see every row arrive as the site would write it.
REPLAY_ORDER = ("models", "model_reviews", "review_votes", "user_history", "api_usage_logs")


def snapshot(conn) -> dict[str, list[tuple]]:
    return {name: conn.execute(sql).fetchall() for name, sql in SNAPSHOTS.items()}


def insertable_columns(conn, table: str) -> str:
    rows = conn.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = %s AND is_generated = 'NEVER' AND column_name <> 'is_active'
            ORDER BY ordinal_position""",
        [table],
    ).fetchall()
    return ", ".join(f'"{name}"' for (name,) in rows)


# The seed writes through its own connection; the mark makes pytest-django create the test database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tiny(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        conninfo = database_conninfo()
    timings = seed_scale.seed(conninfo, scale=0.001, force=True, log=lambda line: None)
    yield conninfo, timings
    empty_seeded_tables(conninfo)


def test_it_seeds_every_table_and_reports_each_phase(tiny):
    conninfo, timings = tiny
    with psycopg.connect(conninfo) as conn:
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("users", "developers", "models", "model_reviews", "user_history", "api_usage_logs")
        }
    assert counts == {
        "users": 200,
        "developers": 2,
        "models": 20,
        "model_reviews": 500,
        "user_history": 2_000,
        "api_usage_logs": 10_000,
    }
    assert {"load usage logs", "model_daily_stats", "rebuild indexes", "vacuum analyze", "total"} <= set(
        timings
    )


def test_its_named_rows_are_the_busiest_developer_the_heaviest_user_and_the_popular_model(tiny):
    conninfo, _ = tiny
    with psycopg.connect(conninfo) as conn:
        top_user = conn.execute(
            "SELECT u.username FROM user_history h JOIN users u USING (user_id) "
            "GROUP BY u.username ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        top_model, owner = conn.execute(
            "SELECT m.api_name, d.username FROM models m JOIN developers d USING (developer_id) "
            "ORDER BY m.total_requests DESC LIMIT 1"
        ).fetchone()
        busiest = conn.execute(
            "SELECT d.status, u.status FROM developers d JOIN users u USING (user_id) WHERE d.username = %s",
            [seed_scale.BUSIEST],
        ).fetchone()
    assert top_user == seed_scale.HEAVIEST
    assert (top_model, owner) == (seed_scale.POPULAR, seed_scale.BUSIEST)
    assert busiest == ("active", "active")


def test_its_counters_agree_with_a_fresh_aggregate_of_the_data(tiny):
    conninfo, _ = tiny
    with psycopg.connect(conninfo, autocommit=True) as conn:
        assert seed_scale.verify(conn) == []


def test_its_logs_fill_the_month_partitions_and_none_falls_outside(tiny):
    """api_usage_logs is partitioned by month (activity migration 0017): the seed makes the months of its
    two years before it loads them, so no row lands in api_usage_logs_before or api_usage_logs_after."""
    conninfo, _ = tiny
    with psycopg.connect(conninfo, autocommit=True) as conn:
        placed = conn.execute(
            "SELECT tableoid::regclass::text, count(*) FROM api_usage_logs GROUP BY 1 ORDER BY 1"
        ).fetchall()
        misplaced = conn.execute(
            "SELECT count(*) FROM api_usage_logs"
            " WHERE tableoid::regclass::text <> 'api_usage_logs_' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY_MM')"
        ).fetchone()[0]
        # The indexes dropped for the load are rebuilt on every partition, and valid.
        unindexed = conn.execute(
            "SELECT i.inhrelid::regclass::text FROM pg_inherits i"
            " WHERE i.inhparent = 'api_usage_logs'::regclass AND (SELECT count(*) FROM pg_index x"
            " WHERE x.indrelid = i.inhrelid AND x.indisvalid) <> 4"
        ).fetchall()
        invalid = conn.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid"
        ).fetchall()
    assert len(placed) >= 24
    assert not [name for name, _ in placed if name in ("api_usage_logs_before", "api_usage_logs_after")]
    assert misplaced == 0
    assert unindexed == invalid == []


def test_its_set_based_counters_equal_what_the_triggers_compute_row_by_row(tiny):
    """Empty the counted tables with triggers off, insert the same rows again with triggers on, and
    compare every counter and rollup with the seed's."""
    conninfo, _ = tiny
    with psycopg.connect(conninfo) as conn:
        seeded = snapshot(conn)
        conn.execute("SET session_replication_role = replica")
        for table in REPLAY_ORDER:
            conn.execute(f"CREATE TEMP TABLE replay_{table} ON COMMIT DROP AS SELECT * FROM {table}")
        for table, reset in COUNTERS.items():
            conn.execute(f"UPDATE replay_{table} SET {reset}")
        for table in (*reversed(REPLAY_ORDER), "model_users", "user_history_counts", "model_daily_stats"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("UPDATE developers SET total_models_created = 0")
        conn.execute("SET session_replication_role = origin")
        for table in REPLAY_ORDER:
            columns = insertable_columns(conn, table)
            conn.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM replay_{table}")
        replayed = snapshot(conn)
        conn.rollback()
    for name in SNAPSHOTS:
        assert replayed[name] == seeded[name], name
    assert len(seeded["model_daily_stats"]) > 100


def test_verify_names_a_counter_that_drifted_from_the_data(tiny):
    conninfo, _ = tiny
    with psycopg.connect(conninfo) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "UPDATE models SET total_requests = total_requests + 1 WHERE api_name = %s", [seed_scale.POPULAR]
        )
        conn.execute(
            "UPDATE model_daily_stats SET latency_buckets[10] = latency_buckets[10] + 1 "
            "WHERE id = (SELECT id FROM model_daily_stats ORDER BY calls DESC LIMIT 1)"
        )
        problems = seed_scale.verify(conn)
        conn.rollback()
    assert [problem.split(":")[0] for problem in problems] == [
        "models.total_requests",
        "model_daily_stats latency histograms",
    ]


def test_verify_names_a_foreign_key_that_points_nowhere(tiny):
    conninfo, _ = tiny
    with psycopg.connect(conninfo) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("DELETE FROM users WHERE username = %s", [seed_scale.HEAVIEST])
        problems = seed_scale.verify(conn)
        conn.rollback()
    assert any(problem.startswith("user_history foreign keys") for problem in problems)


def test_it_refuses_to_seed_over_existing_data_without_force(tiny):
    conninfo, _ = tiny
    with pytest.raises(SystemExit, match="--force"):
        seed_scale.seed(conninfo, scale=0.001, log=lambda line: None)
