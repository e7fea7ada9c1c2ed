from django.db import migrations

# api_usage_logs becomes a table partitioned by range of created_at, one partition per calendar month (UTC),
# named api_usage_logs_YYYY_MM, contiguous from the oldest month that holds rows (at most ten years back) to
# three months after the current one; api_usage_logs_before (MINVALUE to the first month) and
# api_usage_logs_after (the end of the last month to MAXVALUE) take whatever falls outside them, so that an
# insert never fails for want of a partition. `manage.py usage_log_partitions` creates months ahead (moving
# the rows that fell into api_usage_logs_after into them) and detaches old months whole, to archive or drop
# them, instead of deleting rows one by one.
#
# Two range partitions at the ends rather than one DEFAULT partition: with a DEFAULT partition PostgreSQL
# cannot read the months in order (a DEFAULT partition may hold rows of any time), so "a model's newest
# logs" (the dashboard's logs page) becomes a Merge Append that starts an index scan in every month: 4.7 ms
# instead of 0.3 ms for one model on the benchmark's 10 M rows; with ranges at both ends it reads the newest
# month's index and stops.
#
# PostgreSQL wants the partition key in every unique key of a partitioned table, so the primary key is
# (log_id, created_at). Django still identifies a log by log_id alone (a random UUID): Django 5.2's admin
# refuses models with a composite primary key, and nothing refers to a log by its key.
#
# The rows move: the table is renamed, a partitioned table takes its name, the partitions are created, the
# rows copied, and then the keys, indexes, foreign keys and triggers are built, in that order: building
# indexes after the copy is quicker than keeping them during it, and the counting triggers
# (functions/api_usage_logs_count.sql) come last, so the copied rows, counted when they were first written,
# are not counted again. The counters and model_daily_stats stay exactly as they were. Writers wait for the
# whole move (EXCLUSIVE lock: reads go on until the swap): 83 s on the benchmark's 10 M rows.
#
# The reverse moves the rows back into a plain table the same way (partitions already detached stay as they
# are). Frozen copies of activity/sql/triggers/api_usage_logs_count_*.sql.
COLUMNS = """
    log_id uuid DEFAULT gen_random_uuid() NOT NULL,
    api_key_used varchar(24) DEFAULT '' NOT NULL,
    request_method varchar(10) DEFAULT 'POST' NOT NULL,
    response_code smallint NOT NULL,
    request_size integer DEFAULT 0 NOT NULL,
    response_size integer DEFAULT 0 NOT NULL,
    processing_time_ms integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT statement_timestamp() NOT NULL,
    developer_id uuid,
    model_id uuid NOT NULL,
    user_id uuid,
    first_chunk_ms integer,
    CONSTRAINT api_usage_logs_first_chunk_non_negative CHECK (first_chunk_ms >= 0),
    CONSTRAINT api_usage_logs_processing_time_non_negative CHECK (processing_time_ms >= 0),
    CONSTRAINT api_usage_logs_request_size_non_negative CHECK (request_size >= 0),
    CONSTRAINT api_usage_logs_response_code_check CHECK (response_code >= 0),
    CONSTRAINT api_usage_logs_response_code_range CHECK (response_code >= 100 AND response_code <= 599),
    CONSTRAINT api_usage_logs_response_size_non_negative CHECK (response_size >= 0)
"""
COLUMN_NAMES = (
    "log_id, api_key_used, request_method, response_code, request_size, response_size, processing_time_ms,"
    " created_at, developer_id, model_id, user_id, first_chunk_ms"
)


def rename_away(suffix: str) -> str:
    """Lock the table against writers and move it and its index names out of the way."""
    return f"""
LOCK TABLE api_usage_logs IN EXCLUSIVE MODE;
SET LOCAL maintenance_work_mem = '256MB';
ALTER TABLE api_usage_logs RENAME TO api_usage_logs_{suffix};
ALTER INDEX api_usage_logs_pkey RENAME TO api_usage_logs_{suffix}_pkey;
ALTER INDEX api_usage_logs_model_ts_idx RENAME TO api_usage_logs_{suffix}_model_ts_idx;
ALTER INDEX api_usage_logs_dev_ts_idx RENAME TO api_usage_logs_{suffix}_dev_ts_idx;
ALTER INDEX api_usage_logs_user_ts_idx RENAME TO api_usage_logs_{suffix}_user_ts_idx;
"""


def build_after_copy(key: str, suffix: str) -> str:
    """Keys, indexes, foreign keys and triggers of the new api_usage_logs, then the old table dropped."""
    return f"""
ALTER TABLE api_usage_logs ADD CONSTRAINT api_usage_logs_pkey PRIMARY KEY ({key});
CREATE INDEX api_usage_logs_model_ts_idx ON api_usage_logs (model_id, created_at DESC);
CREATE INDEX api_usage_logs_dev_ts_idx ON api_usage_logs (developer_id, created_at DESC);
CREATE INDEX api_usage_logs_user_ts_idx ON api_usage_logs (user_id, created_at DESC);
ALTER TABLE api_usage_logs
    ADD CONSTRAINT api_usage_logs_developer_id_e448ee5c_fk_developers_developer_id FOREIGN KEY (developer_id)
        REFERENCES developers (developer_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT api_usage_logs_model_id_a53bf70a_fk_models_model_id FOREIGN KEY (model_id)
        REFERENCES models (model_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT api_usage_logs_user_id_13f9cbd8_fk_users_user_id FOREIGN KEY (user_id)
        REFERENCES users (user_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

-- After the copy: the copied rows were counted when they were first written.
-- models.total_requests and model_daily_stats on usage log insert and delete
-- (functions/api_usage_logs_count.sql).
CREATE OR REPLACE TRIGGER api_usage_logs_count_insert_delete AFTER INSERT OR DELETE ON api_usage_logs
    FOR EACH ROW EXECUTE FUNCTION api_usage_logs_count();
-- models.total_requests and model_daily_stats when a usage log's counted columns change
-- (functions/api_usage_logs_count.sql).
CREATE OR REPLACE TRIGGER api_usage_logs_count_update
    AFTER UPDATE OF model_id, response_code, created_at, processing_time_ms ON api_usage_logs
    FOR EACH ROW EXECUTE FUNCTION api_usage_logs_count();

DROP TABLE api_usage_logs_{suffix};
ANALYZE api_usage_logs;
"""


SQL = f"""
{rename_away("unpartitioned")}
CREATE TABLE api_usage_logs ({COLUMNS}) PARTITION BY RANGE (created_at);

-- A partition for each month (UTC) from the oldest that holds rows (ten years back at most) to three months
-- after this one, and one for each end.
DO $$
DECLARE
    this_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
    first_month timestamp;
    month timestamp;
BEGIN
    SELECT GREATEST(LEAST(date_trunc('month', min(created_at) AT TIME ZONE 'UTC'), this_month),
                    this_month - interval '120 months')
      INTO first_month FROM api_usage_logs_unpartitioned;
    first_month := COALESCE(first_month, this_month);
    FOR month IN SELECT generate_series(first_month, this_month + interval '3 months', interval '1 month') LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF api_usage_logs FOR VALUES FROM (%L) TO (%L)',
                       'api_usage_logs_' || to_char(month, 'YYYY_MM'),
                       month AT TIME ZONE 'UTC', (month + interval '1 month') AT TIME ZONE 'UTC');
    END LOOP;
    EXECUTE format('CREATE TABLE api_usage_logs_before PARTITION OF api_usage_logs FOR VALUES FROM (MINVALUE) TO (%L)',
                   first_month AT TIME ZONE 'UTC');
    EXECUTE format('CREATE TABLE api_usage_logs_after PARTITION OF api_usage_logs FOR VALUES FROM (%L) TO (MAXVALUE)',
                   (this_month + interval '4 months') AT TIME ZONE 'UTC');
END;
$$;

INSERT INTO api_usage_logs ({COLUMN_NAMES})
SELECT {COLUMN_NAMES} FROM api_usage_logs_unpartitioned;
{build_after_copy("log_id, created_at", "unpartitioned")}
"""

REVERSE_SQL = f"""
{rename_away("partitioned")}
CREATE TABLE api_usage_logs ({COLUMNS});
INSERT INTO api_usage_logs ({COLUMN_NAMES})
SELECT {COLUMN_NAMES} FROM api_usage_logs_partitioned;
{build_after_copy("log_id", "partitioned")}
"""


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0018_call_media_rules"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
