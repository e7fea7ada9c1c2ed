-- model_daily_stats: per model and UTC day, the calls forwarded to the upstream (successes and upstream
-- failures among them) and the calls refused before, processing time and a latency histogram of the
-- forwarded ones (64 buckets, 20 % wide, see activity_latency_bucket.sql) and, from user_history,
-- interactions and revenue. The dashboard reads these rollups instead of scanning the logs.
--
-- Adds one row's share to its day: an addition upserts with ON CONFLICT, exact under concurrent first
-- writes of a day; a removal (negative figures) only updates the day that the row was added to.
CREATE OR REPLACE FUNCTION activity_rollup_add(
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
