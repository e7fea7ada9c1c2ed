-- user_history_counts: a user's history rows per status, with the sums of their cost and latency, so the
-- history page's totals and user_activity_summary read a user's few counter rows instead of aggregating
-- up to hundreds of thousands of history rows.
--
-- A row that changes user or status moves between two counts, and a row whose cost or latency changes
-- moves its old values out of the old (user, status) and its new values into the new one. Both counts
-- are locked in key order first, as the statement triggers take theirs.
CREATE OR REPLACE FUNCTION user_history_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM user_history_counts
     WHERE (user_id, status) IN ((OLD.user_id, OLD.status), (NEW.user_id, NEW.status))
     ORDER BY user_id, status
       FOR NO KEY UPDATE;
    UPDATE user_history_counts SET
        interactions = interactions - 1,
        cost_total = cost_total - OLD.cost_incurred,
        response_time_ms_total = response_time_ms_total - COALESCE(OLD.response_time_ms, 0),
        response_time_count = response_time_count - (OLD.response_time_ms IS NOT NULL)::integer
     WHERE user_id = OLD.user_id AND status = OLD.status;
    INSERT INTO user_history_counts AS c (id, user_id, status, interactions, cost_total,
                                          response_time_ms_total, response_time_count)
    VALUES (gen_random_uuid(), NEW.user_id, NEW.status, 1, NEW.cost_incurred,
            COALESCE(NEW.response_time_ms, 0), (NEW.response_time_ms IS NOT NULL)::integer)
    ON CONFLICT (user_id, status) DO UPDATE SET
        interactions = c.interactions + 1,
        cost_total = c.cost_total + EXCLUDED.cost_total,
        response_time_ms_total = c.response_time_ms_total + EXCLUDED.response_time_ms_total,
        response_time_count = c.response_time_count + EXCLUDED.response_time_count;
    RETURN NULL;
END;
$$;
