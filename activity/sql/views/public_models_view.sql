-- Public models of active developers whose account is active, that answer calls now: active, or
-- deprecated with a sunset still ahead (sunset_at says when it stops). Reads models.is_served (kept by
-- triggers, catalog/sql/functions/models_is_served_row.sql) instead of joining users; the flag cannot
-- follow the clock, so the sunset is compared with now() here.
CREATE OR REPLACE VIEW public_models_view AS
SELECT m.model_id, m.api_name, m.display_name, m.description, m.category, m.tags,
       m.price_per_request, m.average_rating, m.rating_count, m.total_requests, m.total_users,
       m.created_at, m.developer_id, d.username AS developer_username, d.company_name, m.sunset_at
  FROM models m
  JOIN developers d ON d.developer_id = m.developer_id
 WHERE m.is_served AND m.is_public AND (m.sunset_at IS NULL OR m.sunset_at > now());
