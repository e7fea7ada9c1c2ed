-- Per developer: models, active models, requests, distinct users, average rating over visible reviews,
-- revenue, calls this month (UTC) and the quota. total_revenue and calls_this_month come from
-- model_daily_stats, the trigger-kept per-day rollup of user_history (cost_incurred) and api_usage_logs
-- (calls, forwarded and refused alike: every call logged), so the view stays quick with years of logs.
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
