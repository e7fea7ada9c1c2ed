-- Per user: interactions, distinct models, cost, average response time, last activity, reviews written.
-- From the counters: the user's counts and sums in user_history_counts, the pairs of model_users, the
-- newest row through user_history_user_ts_idx.
CREATE OR REPLACE VIEW user_activity_summary AS
SELECT u.user_id, u.username,
       COALESCE(h.total_interactions, 0) AS total_interactions,
       COALESCE(m.distinct_models, 0) AS distinct_models,
       COALESCE(h.total_cost, 0)::numeric(20, 4) AS total_cost,
       CASE WHEN h.timed > 0 THEN round(h.response_ms::numeric / h.timed, 2) END AS avg_response_time_ms,
       (SELECT max(uh.request_timestamp) FROM user_history uh WHERE uh.user_id = u.user_id)
           AS last_activity_at,
       COALESCE(r.reviews_written, 0) AS reviews_written
  FROM users u
  LEFT JOIN LATERAL (
        SELECT sum(c.interactions)::bigint AS total_interactions, sum(c.cost_total) AS total_cost,
               sum(c.response_time_ms_total) AS response_ms, sum(c.response_time_count) AS timed
          FROM user_history_counts c WHERE c.user_id = u.user_id) h ON true
  LEFT JOIN LATERAL (
        SELECT count(*) AS distinct_models FROM model_users mu WHERE mu.user_id = u.user_id) m ON true
  LEFT JOIN LATERAL (
        SELECT count(*) AS reviews_written FROM model_reviews mr WHERE mr.user_id = u.user_id) r ON true;
