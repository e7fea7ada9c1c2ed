-- user_history_counts: a user's history rows per status, with the sums of their cost and latency, so the
-- history page's totals and user_activity_summary read a user's few counter rows instead of aggregating
-- up to hundreds of thousands of history rows.
--
-- Statement triggers with transition tables add or remove a whole statement's rows with one write per
-- (user, status): a cascade that deletes a user's or a model's thousands of rows costs one UPDATE.
-- Deletes only UPDATE, so a count that its user's cascade removed first stays removed.
CREATE OR REPLACE FUNCTION user_history_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM user_history_counts c
     WHERE (c.user_id, c.status) IN (SELECT user_id, status FROM removed)
     ORDER BY c.user_id, c.status
       FOR NO KEY UPDATE;
    UPDATE user_history_counts c SET
        interactions = c.interactions - r.n,
        cost_total = c.cost_total - r.cost,
        response_time_ms_total = c.response_time_ms_total - r.ms,
        response_time_count = c.response_time_count - r.timed
      FROM (SELECT user_id, status, count(*) AS n, sum(cost_incurred) AS cost,
                   COALESCE(sum(response_time_ms), 0) AS ms, count(response_time_ms) AS timed
              FROM removed GROUP BY user_id, status) r
     WHERE c.user_id = r.user_id AND c.status = r.status;
    RETURN NULL;
END;
$$;
