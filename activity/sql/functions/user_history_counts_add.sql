-- user_history_counts: a user's history rows per status, with the sums of their cost and latency, so the
-- history page's totals and user_activity_summary read a user's few counter rows instead of aggregating
-- up to hundreds of thousands of history rows.
--
-- Statement triggers with transition tables add or remove a whole statement's rows with one write per
-- (user, status), in key order: two such statements lock their counts in the same order. Inserts upsert
-- with ON CONFLICT, exact under concurrent first calls. They run after the row triggers of the
-- statement, so a call still locks its model row before anything else (user_history_count.sql).
CREATE OR REPLACE FUNCTION user_history_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_history_counts AS c (id, user_id, status, interactions, cost_total,
                                          response_time_ms_total, response_time_count)
    SELECT gen_random_uuid(), user_id, status, count(*), sum(cost_incurred),
           COALESCE(sum(response_time_ms), 0), count(response_time_ms)
      FROM added
     GROUP BY user_id, status
     ORDER BY user_id, status
    ON CONFLICT (user_id, status) DO UPDATE SET
        interactions = c.interactions + EXCLUDED.interactions,
        cost_total = c.cost_total + EXCLUDED.cost_total,
        response_time_ms_total = c.response_time_ms_total + EXCLUDED.response_time_ms_total,
        response_time_count = c.response_time_count + EXCLUDED.response_time_count;
    RETURN NULL;
END;
$$;
