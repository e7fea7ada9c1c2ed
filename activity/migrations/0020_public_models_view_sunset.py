from django.db import migrations

# public_models_view follows a deprecation with notice (catalog 0012): a deprecated model is listed until
# its sunset_at, which the view gives as a last column. A frozen copy of
# activity/sql/views/public_models_view.sql.
SQL = """
CREATE OR REPLACE VIEW public_models_view AS
SELECT m.model_id, m.api_name, m.display_name, m.description, m.category, m.tags,
       m.price_per_request, m.average_rating, m.rating_count, m.total_requests, m.total_users,
       m.created_at, m.developer_id, d.username AS developer_username, d.company_name, m.sunset_at
  FROM models m
  JOIN developers d ON d.developer_id = m.developer_id
 WHERE m.is_served AND m.is_public AND (m.sunset_at IS NULL OR m.sunset_at > now());
"""

# CREATE OR REPLACE cannot drop a column: the view is made again.
REVERSE_SQL = """
DROP VIEW public_models_view;
CREATE VIEW public_models_view AS
SELECT m.model_id, m.api_name, m.display_name, m.description, m.category, m.tags,
       m.price_per_request, m.average_rating, m.rating_count, m.total_requests, m.total_users,
       m.created_at, m.developer_id, d.username AS developer_username, d.company_name
  FROM models m
  JOIN developers d ON d.developer_id = m.developer_id
 WHERE m.is_served AND m.is_public;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0019_partition_usage_logs"),
        ("catalog", "0012_sunset"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
