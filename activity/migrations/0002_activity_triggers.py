from django.db import migrations

# Counters and rollups that follow user_history and api_usage_logs, exact under concurrent writers:
#
# - models.total_users: the number of (model, user) pairs in model_users, kept by a trigger on that
#   table. A history insert upserts its pair with ON CONFLICT; a history delete decrements the pair under
#   its row lock and removes it at zero. Counting on model_users itself keeps the figure right when a
#   cascade (a deleted user) removes the pair before or after its history rows.
# - models.total_requests: +1 for every api_usage_logs row with a 2xx code.
# - model_daily_stats: per model and UTC day, calls by status class, processing time, a latency
#   histogram (64 buckets, 20 % wide, see activity_latency_bucket) and, from user_history, interactions
#   and revenue. The dashboard reads these rollups instead of scanning the logs.
SQL = """
CREATE FUNCTION model_users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE models SET total_users = total_users + 1 WHERE model_id = NEW.model_id;
    ELSE
        UPDATE models SET total_users = total_users - 1 WHERE model_id = OLD.model_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER model_users_count AFTER INSERT OR DELETE ON model_users
    FOR EACH ROW EXECUTE FUNCTION model_users_count();

CREATE FUNCTION activity_latency_bucket(ms integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT LEAST(63, GREATEST(0, floor(ln(GREATEST(ms, 0) + 1) / ln(1.2))::integer));
$$;

CREATE FUNCTION activity_rollup_add(
    p_model_id uuid, p_day date,
    p_calls integer, p_successes integer, p_client_errors integer, p_server_errors integer,
    p_processing_ms bigint, p_latency_ms integer,
    p_interactions integer, p_revenue numeric
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    bucket integer := CASE WHEN p_latency_ms IS NULL THEN NULL ELSE activity_latency_bucket(p_latency_ms) + 1 END;
    step integer := sign(p_calls)::integer;
BEGIN
    IF p_calls >= 0 AND p_interactions >= 0 THEN
        INSERT INTO model_daily_stats AS s (id, model_id, day, calls, successes, client_errors, server_errors,
                                            processing_ms_total, latency_buckets, interactions, revenue)
        VALUES (gen_random_uuid(), p_model_id, p_day, p_calls, p_successes, p_client_errors, p_server_errors,
                p_processing_ms,
                CASE WHEN bucket IS NULL THEN array_fill(0, ARRAY[64])
                     ELSE array_fill(0, ARRAY[bucket - 1]) || step || array_fill(0, ARRAY[64 - bucket]) END,
                p_interactions, p_revenue)
        ON CONFLICT (model_id, day) DO UPDATE SET
            calls = s.calls + EXCLUDED.calls,
            successes = s.successes + EXCLUDED.successes,
            client_errors = s.client_errors + EXCLUDED.client_errors,
            server_errors = s.server_errors + EXCLUDED.server_errors,
            processing_ms_total = s.processing_ms_total + EXCLUDED.processing_ms_total,
            latency_buckets[COALESCE(bucket, 1)] = s.latency_buckets[COALESCE(bucket, 1)] + CASE WHEN bucket IS NULL THEN 0 ELSE step END,
            interactions = s.interactions + EXCLUDED.interactions,
            revenue = s.revenue + EXCLUDED.revenue;
    ELSE
        UPDATE model_daily_stats AS s SET
            calls = s.calls + p_calls,
            successes = s.successes + p_successes,
            client_errors = s.client_errors + p_client_errors,
            server_errors = s.server_errors + p_server_errors,
            processing_ms_total = s.processing_ms_total + p_processing_ms,
            latency_buckets[COALESCE(bucket, 1)] = s.latency_buckets[COALESCE(bucket, 1)] + CASE WHEN bucket IS NULL THEN 0 ELSE step END,
            interactions = s.interactions + p_interactions,
            revenue = s.revenue + p_revenue
        WHERE s.model_id = p_model_id AND s.day = p_day;
    END IF;
END;
$$;

CREATE FUNCTION api_usage_logs_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        IF OLD.response_code BETWEEN 200 AND 299 THEN
            UPDATE models SET total_requests = total_requests - 1 WHERE model_id = OLD.model_id;
        END IF;
        PERFORM activity_rollup_add(
            OLD.model_id, (OLD.created_at AT TIME ZONE 'UTC')::date,
            -1, -(OLD.response_code BETWEEN 200 AND 299)::int, -(OLD.response_code BETWEEN 400 AND 499)::int,
            -(OLD.response_code >= 500)::int, -OLD.processing_time_ms, OLD.processing_time_ms, 0, 0);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.response_code BETWEEN 200 AND 299 THEN
            UPDATE models SET total_requests = total_requests + 1 WHERE model_id = NEW.model_id;
        END IF;
        PERFORM activity_rollup_add(
            NEW.model_id, (NEW.created_at AT TIME ZONE 'UTC')::date,
            1, (NEW.response_code BETWEEN 200 AND 299)::int, (NEW.response_code BETWEEN 400 AND 499)::int,
            (NEW.response_code >= 500)::int, NEW.processing_time_ms, NEW.processing_time_ms, 0, 0);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_usage_logs_count_insert_delete AFTER INSERT OR DELETE ON api_usage_logs
    FOR EACH ROW EXECUTE FUNCTION api_usage_logs_count();
CREATE TRIGGER api_usage_logs_count_update AFTER UPDATE OF model_id, response_code, created_at, processing_time_ms
    ON api_usage_logs FOR EACH ROW EXECUTE FUNCTION api_usage_logs_count();

CREATE FUNCTION user_history_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pair_interactions integer;
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE model_users SET interactions = interactions - 1
         WHERE model_id = OLD.model_id AND user_id = OLD.user_id
        RETURNING interactions INTO pair_interactions;
        IF pair_interactions = 0 THEN
            DELETE FROM model_users WHERE model_id = OLD.model_id AND user_id = OLD.user_id;
        END IF;
        PERFORM activity_rollup_add(
            OLD.model_id, (OLD.request_timestamp AT TIME ZONE 'UTC')::date,
            0, 0, 0, 0, 0, NULL, -1, -OLD.cost_incurred);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO model_users AS p (id, model_id, user_id, interactions)
        VALUES (gen_random_uuid(), NEW.model_id, NEW.user_id, 1)
        ON CONFLICT (model_id, user_id) DO UPDATE SET interactions = p.interactions + 1;
        PERFORM activity_rollup_add(
            NEW.model_id, (NEW.request_timestamp AT TIME ZONE 'UTC')::date,
            0, 0, 0, 0, 0, NULL, 1, NEW.cost_incurred);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER user_history_count_insert_delete AFTER INSERT OR DELETE ON user_history
    FOR EACH ROW EXECUTE FUNCTION user_history_count();
CREATE TRIGGER user_history_count_update AFTER UPDATE OF model_id, user_id, request_timestamp, cost_incurred
    ON user_history FOR EACH ROW
    WHEN (OLD.model_id IS DISTINCT FROM NEW.model_id OR OLD.user_id IS DISTINCT FROM NEW.user_id
          OR OLD.request_timestamp IS DISTINCT FROM NEW.request_timestamp
          OR OLD.cost_incurred IS DISTINCT FROM NEW.cost_incurred)
    EXECUTE FUNCTION user_history_count();
"""

REVERSE_SQL = """
DROP TRIGGER user_history_count_update ON user_history;
DROP TRIGGER user_history_count_insert_delete ON user_history;
DROP FUNCTION user_history_count();
DROP TRIGGER api_usage_logs_count_update ON api_usage_logs;
DROP TRIGGER api_usage_logs_count_insert_delete ON api_usage_logs;
DROP FUNCTION api_usage_logs_count();
DROP FUNCTION activity_rollup_add(uuid, date, integer, integer, integer, integer, bigint, integer, integer, numeric);
DROP FUNCTION activity_latency_bucket(integer);
DROP TRIGGER model_users_count ON model_users;
DROP FUNCTION model_users_count();
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0001_initial"), ("catalog", "0002_model_triggers")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
