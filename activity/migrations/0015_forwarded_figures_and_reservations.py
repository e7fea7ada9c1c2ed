from django.db import migrations

# Public figures count forwarded calls only (activity_forwarded): model_daily_stats.calls, the processing
# time and the latency histogram are of calls forwarded to the upstream, and refused calls (renamed from
# client_errors in 0014) count apart. The rollups already kept are recomputed from api_usage_logs.
# gateway_reserve and credit_settle are the gateway's reservation and its settlement (credits, key limits,
# consumer shares, quota). Frozen copies of the files under activity/sql/ and accounts/sql/.
SQL = r"""
CREATE OR REPLACE FUNCTION activity_forwarded(p_code integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN p_code BETWEEN 200 AND 299 OR p_code IN (502, 504);

DROP FUNCTION activity_rollup_add(uuid, date, integer, integer, integer, integer, bigint, integer, integer, numeric);
CREATE FUNCTION activity_rollup_add(
    p_model_id uuid, p_day date,
    p_calls integer, p_successes integer, p_refused integer, p_server_errors integer,
    p_processing_ms bigint, p_latency_ms integer,
    p_interactions integer, p_revenue numeric
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    bucket integer := CASE WHEN p_latency_ms IS NULL THEN NULL ELSE activity_latency_bucket(p_latency_ms) + 1 END;
    step integer := sign(p_calls)::integer;
BEGIN
    IF p_calls >= 0 AND p_refused >= 0 AND p_interactions >= 0 THEN
        INSERT INTO model_daily_stats AS s (id, model_id, day, calls, successes, refused, server_errors,
                                            processing_ms_total, latency_buckets, interactions, revenue)
        VALUES (gen_random_uuid(), p_model_id, p_day, p_calls, p_successes, p_refused, p_server_errors,
                p_processing_ms,
                CASE WHEN bucket IS NULL THEN array_fill(0, ARRAY[64])
                     ELSE array_fill(0, ARRAY[bucket - 1]) || step || array_fill(0, ARRAY[64 - bucket]) END,
                p_interactions, p_revenue)
        ON CONFLICT (model_id, day) DO UPDATE SET
            calls = s.calls + EXCLUDED.calls,
            successes = s.successes + EXCLUDED.successes,
            refused = s.refused + EXCLUDED.refused,
            server_errors = s.server_errors + EXCLUDED.server_errors,
            processing_ms_total = s.processing_ms_total + EXCLUDED.processing_ms_total,
            latency_buckets[COALESCE(bucket, 1)] = s.latency_buckets[COALESCE(bucket, 1)] + CASE WHEN bucket IS NULL THEN 0 ELSE step END,
            interactions = s.interactions + EXCLUDED.interactions,
            revenue = s.revenue + EXCLUDED.revenue;
    ELSE
        UPDATE model_daily_stats AS s SET
            calls = s.calls + p_calls,
            successes = s.successes + p_successes,
            refused = s.refused + p_refused,
            server_errors = s.server_errors + p_server_errors,
            processing_ms_total = s.processing_ms_total + p_processing_ms,
            latency_buckets[COALESCE(bucket, 1)] = s.latency_buckets[COALESCE(bucket, 1)] + CASE WHEN bucket IS NULL THEN 0 ELSE step END,
            interactions = s.interactions + p_interactions,
            revenue = s.revenue + p_revenue
        WHERE s.model_id = p_model_id AND s.day = p_day;
    END IF;
END;
$$;

CREATE OR REPLACE FUNCTION api_usage_logs_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The model's row first, before the pair and day rows below: see the note above.
    PERFORM 1 FROM models
     WHERE model_id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.model_id END,
                        CASE WHEN TG_OP <> 'DELETE' THEN NEW.model_id END)
     ORDER BY model_id
       FOR NO KEY UPDATE;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        IF OLD.response_code BETWEEN 200 AND 299 THEN
            UPDATE models SET total_requests = total_requests - 1 WHERE model_id = OLD.model_id;
        END IF;
        PERFORM activity_rollup_add(
            OLD.model_id, (OLD.created_at AT TIME ZONE 'UTC')::date,
            -activity_forwarded(OLD.response_code)::int, -(OLD.response_code BETWEEN 200 AND 299)::int,
            -(NOT activity_forwarded(OLD.response_code))::int, -(OLD.response_code IN (502, 504))::int,
            CASE WHEN activity_forwarded(OLD.response_code) THEN -OLD.processing_time_ms ELSE 0 END,
            CASE WHEN activity_forwarded(OLD.response_code) THEN OLD.processing_time_ms END, 0, 0);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.response_code BETWEEN 200 AND 299 THEN
            UPDATE models SET total_requests = total_requests + 1 WHERE model_id = NEW.model_id;
        END IF;
        PERFORM activity_rollup_add(
            NEW.model_id, (NEW.created_at AT TIME ZONE 'UTC')::date,
            activity_forwarded(NEW.response_code)::int, (NEW.response_code BETWEEN 200 AND 299)::int,
            (NOT activity_forwarded(NEW.response_code))::int, (NEW.response_code IN (502, 504))::int,
            CASE WHEN activity_forwarded(NEW.response_code) THEN NEW.processing_time_ms ELSE 0 END,
            CASE WHEN activity_forwarded(NEW.response_code) THEN NEW.processing_time_ms END, 0, 0);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION gateway_reserve(
    p_developer_id uuid, p_month date, p_quota integer, p_async boolean,
    p_model_id uuid, p_user_id uuid, p_consumer_limit integer,
    p_key_id uuid, p_key_limit numeric, p_key_period_start timestamptz,
    p_price numeric, p_history_id uuid,
    OUT used integer, OUT refusal text, OUT detail text
) LANGUAGE plpgsql AS $$
DECLARE
    v_spent numeric;
    v_balance numeric;
    v_calls integer;
BEGIN
    IF p_async THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    BEGIN
        IF p_key_limit IS NOT NULL AND p_price > 0 THEN
            INSERT INTO api_key_spend AS s (id, key_id, period_start, spent)
            SELECT gen_random_uuid(), p_key_id, p_key_period_start, p_price WHERE p_price <= p_key_limit
            ON CONFLICT (key_id, period_start) DO UPDATE SET spent = s.spent + EXCLUDED.spent
                WHERE s.spent + EXCLUDED.spent <= p_key_limit
            RETURNING s.spent INTO v_spent;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = 'AMP01', MESSAGE = 'key_limit_reached',
                    DETAIL = (SELECT COALESCE(max(spent), 0)::text FROM api_key_spend
                               WHERE key_id = p_key_id AND period_start = p_key_period_start);
            END IF;
        END IF;
        IF p_price > 0 THEN
            SELECT credit_balance INTO v_balance FROM users WHERE user_id = p_user_id FOR NO KEY UPDATE;
            IF v_balance < p_price THEN
                RAISE EXCEPTION USING ERRCODE = 'AMP01', MESSAGE = 'insufficient_credits', DETAIL = v_balance::text;
            END IF;
            INSERT INTO credit_ledger (entry_id, user_id, amount, kind, history_id, model_id)
            VALUES (gen_random_uuid(), p_user_id, -p_price, 'reservation', p_history_id, p_model_id);
        END IF;
        IF p_consumer_limit IS NOT NULL AND p_user_id IS NOT NULL THEN
            INSERT INTO model_consumer_usage AS c (id, model_id, user_id, month, calls)
            VALUES (gen_random_uuid(), p_model_id, p_user_id, p_month, 1)
            ON CONFLICT (model_id, user_id, month) DO UPDATE SET calls = c.calls + 1 WHERE c.calls < p_consumer_limit
            RETURNING c.calls INTO v_calls;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = 'AMP01', MESSAGE = 'consumer_limit_reached',
                    DETAIL = p_consumer_limit::text;
            END IF;
        END IF;
        v_calls := NULL;
        IF p_quota > 0 THEN
            INSERT INTO developer_monthly_usage AS u (id, developer_id, month, calls)
            VALUES (gen_random_uuid(), p_developer_id, p_month, 1)
            ON CONFLICT (developer_id, month) DO UPDATE SET calls = u.calls + 1 WHERE u.calls < p_quota
            RETURNING u.calls INTO v_calls;
        END IF;
        IF v_calls IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'AMP01', MESSAGE = 'quota_exceeded', DETAIL = p_quota::text;
        END IF;
        used := v_calls;
    EXCEPTION WHEN SQLSTATE 'AMP01' THEN
        GET STACKED DIAGNOSTICS refusal = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    END;
END;
$$;

CREATE OR REPLACE FUNCTION credit_settle(
    p_user_id uuid, p_model_id uuid, p_history_id uuid, p_reserved numeric, p_cost numeric,
    p_key_id uuid, p_key_period_start timestamptz
) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    IF p_key_id IS NOT NULL AND p_cost < p_reserved THEN
        UPDATE api_key_spend SET spent = greatest(spent - (p_reserved - p_cost), 0)
         WHERE key_id = p_key_id AND period_start = p_key_period_start;
    END IF;
    INSERT INTO credit_ledger (entry_id, user_id, amount, kind, history_id, model_id)
    VALUES (gen_random_uuid(), p_user_id, p_reserved, 'release', p_history_id, p_model_id);
    IF p_cost > 0 THEN
        INSERT INTO credit_ledger (entry_id, user_id, amount, kind, history_id, model_id)
        VALUES (gen_random_uuid(), p_user_id, -p_cost, 'charge', p_history_id, p_model_id);
    END IF;
    RETURN CASE WHEN p_cost > 0 THEN 2 ELSE 1 END;
END;
$$;

CREATE OR REPLACE VIEW developer_dashboard_stats AS
SELECT d.developer_id, d.username,
       COALESCE(m.total_models, 0) AS total_models,
       COALESCE(m.active_models, 0) AS active_models,
       COALESCE(m.total_requests, 0) AS total_requests,
       COALESCE(mu.total_users, 0) AS total_users,
       COALESCE(m.average_rating, 0)::numeric(3, 2) AS average_rating,
       COALESCE(s.total_revenue, 0)::numeric(20, 4) AS total_revenue,
       COALESCE(s.calls_this_month, 0) AS calls_this_month,
       d.api_quota
  FROM developers d
  LEFT JOIN LATERAL (
        SELECT count(*) AS total_models,
               count(*) FILTER (WHERE mm.status = 'active') AS active_models,
               sum(mm.total_requests) AS total_requests,
               round(sum(mm.rating_sum)::numeric / NULLIF(sum(mm.rating_count), 0), 2) AS average_rating
          FROM models mm WHERE mm.developer_id = d.developer_id) m ON true
  LEFT JOIN LATERAL (
        SELECT count(DISTINCT p.user_id) AS total_users
          FROM model_users p JOIN models mm ON mm.model_id = p.model_id
         WHERE mm.developer_id = d.developer_id) mu ON true
  LEFT JOIN LATERAL (
        SELECT sum(st.revenue) AS total_revenue,
               sum(st.calls + st.refused) FILTER (
                   WHERE st.day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date) AS calls_this_month
          FROM model_daily_stats st JOIN models mm ON mm.model_id = st.model_id
         WHERE mm.developer_id = d.developer_id) s ON true;

DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS tbl, pg_get_constraintdef(c.oid) AS def
          FROM pg_constraint c
         WHERE c.contype = 'f' AND c.conrelid::regclass::text = 'model_consumer_usage'
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s', fk.tbl, fk.conname, fk.conname,
                       regexp_replace(fk.def, '\)( DEFERRABLE|$)', ') ON DELETE CASCADE\1'));
    END LOOP;
END;
$$;

WITH per_bucket AS (
    SELECT model_id, (created_at AT TIME ZONE 'UTC')::date AS day,
           CASE WHEN activity_forwarded(response_code) THEN activity_latency_bucket(processing_time_ms) END AS bucket,
           count(*) FILTER (WHERE activity_forwarded(response_code)) AS calls,
           count(*) FILTER (WHERE response_code BETWEEN 200 AND 299) AS successes,
           count(*) FILTER (WHERE NOT activity_forwarded(response_code)) AS refused,
           count(*) FILTER (WHERE response_code IN (502, 504)) AS server_errors,
           COALESCE(sum(processing_time_ms) FILTER (WHERE activity_forwarded(response_code)), 0) AS processing_ms
      FROM api_usage_logs
     GROUP BY 1, 2, 3
), per_day AS (
    SELECT model_id, day, sum(calls)::integer AS calls, sum(successes)::integer AS successes,
           sum(refused)::integer AS refused, sum(server_errors)::integer AS server_errors,
           sum(processing_ms)::bigint AS processing_ms
      FROM per_bucket GROUP BY 1, 2
), histogram AS (
    SELECT d.model_id, d.day, array_agg(COALESCE(b.calls, 0)::integer ORDER BY g.bucket) AS buckets
      FROM per_day d
     CROSS JOIN generate_series(0, 63) AS g(bucket)
      LEFT JOIN per_bucket b ON b.model_id = d.model_id AND b.day = d.day AND b.bucket = g.bucket
     GROUP BY 1, 2
)
UPDATE model_daily_stats s
   SET calls = d.calls, successes = d.successes, refused = d.refused, server_errors = d.server_errors,
       processing_ms_total = d.processing_ms, latency_buckets = h.buckets
  FROM per_day d JOIN histogram h USING (model_id, day)
 WHERE s.model_id = d.model_id AND s.day = d.day;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0014_refused_calls_consumer_usage_history_key"),
        ("accounts", "0006_credit_ledger_rules"),
    ]

    # Not reversible: the old rollups counted refused calls, which is what this migration undoes.
    operations = [migrations.RunSQL(SQL)]
