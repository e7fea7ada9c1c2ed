from django.db import migrations, models

# models.is_served: the model is active, its developer is active and the developer's account is active;
# what the gateway serves and, with is_public, what the catalog lists. Kept here by triggers so the
# catalog's queries read one table instead of joining developers and users (200,000 rows at scale).
#
# Exact under concurrent writers:
# - A model's own write recomputes the flag from the developer and account rows (BEFORE trigger).
# - A developer's status change rewrites its models from each model row's status; it reads the account's
#   status FOR SHARE, so a concurrent suspension of the account waits for it, or it waits for that.
# - An account's status change rewrites the models of its developer row. Those UPDATEs recompute from the
#   newest model row (PostgreSQL re-reads a row changed under it), so a racing model write is not lost.
SQL = """
-- The existing rows, without touching their updated_at.
ALTER TABLE models DISABLE TRIGGER models_set_updated_at;
UPDATE models m SET is_served = true
  FROM developers d JOIN users u ON u.user_id = d.user_id
 WHERE d.developer_id = m.developer_id AND m.status = 'active' AND d.status = 'active' AND u.status = 'active';
ALTER TABLE models ENABLE TRIGGER models_set_updated_at;

CREATE FUNCTION models_is_served_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.is_served := NEW.status = 'active' AND EXISTS (
        SELECT 1 FROM developers d JOIN users u ON u.user_id = d.user_id
         WHERE d.developer_id = NEW.developer_id AND d.status = 'active' AND u.status = 'active');
    RETURN NEW;
END;
$$;

CREATE TRIGGER models_is_served_row BEFORE INSERT OR UPDATE OF status, developer_id, is_served ON models
    FOR EACH ROW EXECUTE FUNCTION models_is_served_row();

CREATE FUNCTION developers_is_served() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    account_active boolean;
BEGIN
    SELECT u.status = 'active' INTO account_active FROM users u WHERE u.user_id = NEW.user_id FOR SHARE;
    UPDATE models m
       SET is_served = m.status = 'active' AND NEW.status = 'active' AND COALESCE(account_active, false)
     WHERE m.developer_id = NEW.developer_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER developers_is_served AFTER UPDATE OF status, user_id ON developers
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION developers_is_served();

CREATE FUNCTION users_is_served() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE models m
       SET is_served = m.status = 'active' AND d.status = 'active' AND NEW.status = 'active'
      FROM developers d
     WHERE d.user_id = NEW.user_id AND m.developer_id = d.developer_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_is_served AFTER UPDATE OF status ON users
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION users_is_served();
"""

REVERSE_SQL = """
DROP TRIGGER users_is_served ON users;
DROP FUNCTION users_is_served();
DROP TRIGGER developers_is_served ON developers;
DROP FUNCTION developers_is_served();
DROP TRIGGER models_is_served_row ON models;
DROP FUNCTION models_is_served_row();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_admin_labels"),
        ("catalog", "0003_model_name_prefix_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="aimodel",
            name="is_served",
            field=models.BooleanField(
                db_default=False,
                default=False,
                editable=False,
                help_text="Kept by triggers: active model, active developer, active account.",
            ),
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
        migrations.AddIndex(
            model_name="aimodel",
            index=models.Index(
                fields=["category"],
                condition=models.Q(is_served=True, is_public=True),
                name="models_listed_idx",
            ),
        ),
    ]
