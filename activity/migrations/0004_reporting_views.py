from django.db import migrations

SQL = """
CREATE VIEW public_models_view AS
SELECT m.model_id, m.api_name, m.display_name, m.description, m.category, m.tags,
       m.price_per_request, m.average_rating, m.rating_count, m.total_requests, m.total_users,
       m.created_at, m.developer_id, d.username AS developer_username, d.company_name
  FROM models m
  JOIN developers d ON d.developer_id = m.developer_id
  JOIN users u ON u.user_id = d.user_id
 WHERE m.status = 'active' AND m.is_public AND d.status = 'active' AND u.status = 'active';

CREATE VIEW user_activity_summary AS
SELECT u.user_id, u.username,
       COALESCE(h.total_interactions, 0) AS total_interactions,
       COALESCE(h.distinct_models, 0) AS distinct_models,
       COALESCE(h.total_cost, 0)::numeric(20, 4) AS total_cost,
       h.avg_response_time_ms,
       h.last_activity_at,
       COALESCE(r.reviews_written, 0) AS reviews_written
  FROM users u
  LEFT JOIN LATERAL (
        SELECT count(*) AS total_interactions,
               count(DISTINCT uh.model_id) AS distinct_models,
               sum(uh.cost_incurred) AS total_cost,
               round(avg(uh.response_time_ms), 2) AS avg_response_time_ms,
               max(uh.request_timestamp) AS last_activity_at
          FROM user_history uh WHERE uh.user_id = u.user_id) h ON true
  LEFT JOIN LATERAL (
        SELECT count(*) AS reviews_written FROM model_reviews mr WHERE mr.user_id = u.user_id) r ON true;

-- total_revenue and calls_this_month come from model_daily_stats, the trigger-kept per-day rollup of
-- user_history (cost_incurred) and api_usage_logs (calls), so the view stays quick with years of logs.
CREATE VIEW developer_dashboard_stats AS
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
               sum(st.calls) FILTER (
                   WHERE st.day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date) AS calls_this_month
          FROM model_daily_stats st JOIN models mm ON mm.model_id = st.model_id
         WHERE mm.developer_id = d.developer_id) s ON true;
"""

REVERSE_SQL = """
DROP VIEW developer_dashboard_stats;
DROP VIEW user_activity_summary;
DROP VIEW public_models_view;
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0003_cascading_foreign_keys")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
