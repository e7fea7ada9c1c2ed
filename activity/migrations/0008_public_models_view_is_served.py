from django.db import migrations

# The view reads models.is_served (kept by triggers, catalog 0004) instead of joining users.
SQL = """
CREATE OR REPLACE VIEW public_models_view AS
SELECT m.model_id, m.api_name, m.display_name, m.description, m.category, m.tags,
       m.price_per_request, m.average_rating, m.rating_count, m.total_requests, m.total_users,
       m.created_at, m.developer_id, d.username AS developer_username, d.company_name
  FROM models m
  JOIN developers d ON d.developer_id = m.developer_id
 WHERE m.is_served AND m.is_public;
"""

REVERSE_SQL = """
CREATE OR REPLACE VIEW public_models_view AS
SELECT m.model_id, m.api_name, m.display_name, m.description, m.category, m.tags,
       m.price_per_request, m.average_rating, m.rating_count, m.total_requests, m.total_users,
       m.created_at, m.developer_id, d.username AS developer_username, d.company_name
  FROM models m
  JOIN developers d ON d.developer_id = m.developer_id
  JOIN users u ON u.user_id = d.user_id
 WHERE m.status = 'active' AND m.is_public AND d.status = 'active' AND u.status = 'active';
"""


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0007_lock_the_model_row_first"),
        ("catalog", "0004_models_is_served"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
