-- models.total_requests: +1 for every api_usage_logs row with a 2xx code; and every row's share of
-- model_daily_stats. A call was forwarded to the model's upstream when it was answered 2xx or the upstream
-- failed it (502, 504); any other code is the platform's refusal (400, 401, 402, 403, 404, 410, 413, 429,
-- 503). Forwarded calls count as calls, with their processing time and latency; refused ones count apart,
-- so no public figure (success rate, latency, trending) moves with them.
--
-- The model's row first. Concurrent calls on one model deadlocked: a call's statement locks up to three
-- kinds of rows through the triggers, the model (total_requests, total_users), its model_users pair and its
-- model_daily_stats day, and not always in the same order: a 2xx log row takes the model and then the day,
-- a user's history row takes the pair and then the day (and the model only for a user's first call), and
-- the gateway writes both rows of a call in one statement whose two inserts may fire in either order. Two
-- calls then waited on each other and PostgreSQL aborted one of them, losing its log row. So each trigger
-- takes the model's row first (FOR NO KEY UPDATE, which foreign-key checks do not wait for): the writers of
-- one model queue on that row before anything else and always meet the other rows in the same order. A
-- row that moves between models locks both, in model_id order.
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
