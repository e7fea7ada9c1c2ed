import django.db.models.deletion
from django.db import migrations, models

# Deprecation with notice. A developer deprecates a model with a sunset date, optionally naming the model
# that replaces it and a note for its users: it keeps answering (with Deprecation, Sunset and Link headers)
# until sunset_at, then answers 410 Gone like a deprecated model without one. deprecated_at (kept by
# trigger) is the Deprecation header's date.
#
# - models.is_served now also holds for a deprecated model with a sunset date. A stored flag cannot follow
#   the clock, so the reads compare sunset_at with now() (catalog.models.SERVED_NOW, public_models_view in
#   activity 0020, the gateway on the one row it reads). Deprecated models without a sunset (every one
#   before this migration) stay unserved and keep answering 410.
# - replacement_model_id references models ON DELETE SET NULL, not CASCADE like every other key: the
#   deprecated model is the one its users still call until the sunset, and its page stays reachable after
#   it, so deleting the model named as its replacement must only drop the pointer, never delete the
#   deprecated model (and, through its own cascades, its reviews, history and logs). tests/test_cascades.py
#   lists it as the one key that does not cascade.
# - CHECKs: a model does not replace itself; sunset_at, replacement_model_id and deprecation_note only on a
#   deprecated model; deprecated_at exactly on deprecated models. The models_deprecation_row trigger keeps
#   deprecated_at and clears the others when the status leaves deprecated, so every writer (admin, SQL,
#   the services) gets them right without knowing.
# - models_listed_idx and models_listed_id_idx carry sunset_at, so the catalog's counts and the rollups'
#   joins filter on it from the index alone.
#
# Frozen copies of catalog/sql/functions/models_deprecation_row.sql, models_is_served_row.sql,
# developers_is_served.sql, users_is_served.sql and of their triggers.
SQL = r"""
CREATE OR REPLACE FUNCTION models_deprecation_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM 'deprecated' THEN
        NEW.deprecated_at := NULL;
        NEW.sunset_at := NULL;
        NEW.replacement_model_id := NULL;
        NEW.deprecation_note := '';
    ELSIF TG_OP = 'INSERT' THEN
        NEW.deprecated_at := COALESCE(NEW.deprecated_at, now());
    ELSIF OLD.status IS DISTINCT FROM 'deprecated' THEN
        NEW.deprecated_at := now();
    ELSE
        NEW.deprecated_at := COALESCE(NEW.deprecated_at, OLD.deprecated_at);
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER models_deprecation_row
    BEFORE INSERT OR UPDATE OF status ON models
    FOR EACH ROW EXECUTE FUNCTION models_deprecation_row();

CREATE OR REPLACE FUNCTION models_is_served_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.is_served := (NEW.status = 'active' OR (NEW.status = 'deprecated' AND NEW.sunset_at IS NOT NULL))
        AND EXISTS (
        SELECT 1 FROM developers d JOIN users u ON u.user_id = d.user_id
         WHERE d.developer_id = NEW.developer_id AND d.status = 'active' AND u.status = 'active');
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER models_is_served_row
    BEFORE INSERT OR UPDATE OF status, sunset_at, developer_id, is_served ON models
    FOR EACH ROW EXECUTE FUNCTION models_is_served_row();

CREATE OR REPLACE FUNCTION developers_is_served() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    account_active boolean;
BEGIN
    SELECT u.status = 'active' INTO account_active FROM users u WHERE u.user_id = NEW.user_id FOR SHARE;
    UPDATE models m
       SET is_served = (m.status = 'active' OR (m.status = 'deprecated' AND m.sunset_at IS NOT NULL))
                       AND NEW.status = 'active' AND COALESCE(account_active, false)
     WHERE m.developer_id = NEW.developer_id;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION users_is_served() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE models m
       SET is_served = (m.status = 'active' OR (m.status = 'deprecated' AND m.sunset_at IS NOT NULL))
                       AND d.status = 'active' AND NEW.status = 'active'
      FROM developers d
     WHERE d.user_id = NEW.user_id AND m.developer_id = d.developer_id;
    RETURN NULL;
END;
$$;

-- The models deprecated before this migration: when they were is not known; their last change is the
-- closest record. Without touching their updated_at.
ALTER TABLE models DISABLE TRIGGER models_set_updated_at;
UPDATE models SET deprecated_at = updated_at WHERE status = 'deprecated';
ALTER TABLE models ENABLE TRIGGER models_set_updated_at;

"""

REPLACEMENT_SQL = """
ALTER TABLE models ADD COLUMN replacement_model_id uuid NULL
    CONSTRAINT models_replacement_model_id_fk REFERENCES models (model_id)
    ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
"""

REPLACEMENT_REVERSE_SQL = "ALTER TABLE models DROP COLUMN replacement_model_id;"

REVERSE_SQL = r"""
DROP TRIGGER models_deprecation_row ON models;
DROP FUNCTION models_deprecation_row();

CREATE OR REPLACE FUNCTION models_is_served_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.is_served := NEW.status = 'active' AND EXISTS (
        SELECT 1 FROM developers d JOIN users u ON u.user_id = d.user_id
         WHERE d.developer_id = NEW.developer_id AND d.status = 'active' AND u.status = 'active');
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER models_is_served_row
    BEFORE INSERT OR UPDATE OF status, developer_id, is_served ON models
    FOR EACH ROW EXECUTE FUNCTION models_is_served_row();

CREATE OR REPLACE FUNCTION developers_is_served() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION users_is_served() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE models m
       SET is_served = m.status = 'active' AND d.status = 'active' AND NEW.status = 'active'
      FROM developers d
     WHERE d.user_id = NEW.user_id AND m.developer_id = d.developer_id;
    RETURN NULL;
END;
$$;

-- Deprecated models with a sunset stop being served, as before this migration.
ALTER TABLE models DISABLE TRIGGER models_set_updated_at;
UPDATE models SET is_served = false WHERE status = 'deprecated' AND is_served;
ALTER TABLE models ENABLE TRIGGER models_set_updated_at;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0014_notifications_cascade"),
        ("catalog", "0011_like_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="aimodel",
            name="deprecated_at",
            field=models.DateTimeField(
                blank=True, editable=False, help_text="Kept by trigger: when the model was deprecated.", null=True
            ),
        ),
        migrations.AddField(
            model_name="aimodel",
            name="deprecation_note",
            field=models.TextField(
                blank=True, db_default="", default="", help_text="The developer's word to the model's users."
            ),
        ),
        # The replacement's key written out: Django would add it at the end of the migration, without the
        # ON DELETE SET NULL (see above).
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(REPLACEMENT_SQL, REPLACEMENT_REVERSE_SQL)],
            state_operations=[
                migrations.AddField(
                    model_name="aimodel",
                    name="replacement",
                    field=models.ForeignKey(
                        blank=True,
                        db_column="replacement_model_id",
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="replaced_models",
                        to="catalog.aimodel",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="aimodel",
            name="sunset_at",
            field=models.DateTimeField(
                blank=True, help_text="A deprecated model answers until this moment, then 410 Gone.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="aimodel",
            name="is_served",
            field=models.BooleanField(
                db_default=False,
                default=False,
                editable=False,
                help_text="Kept by triggers: active (or deprecated with a sunset date) model, active developer, "
                "active account.",
            ),
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
        migrations.AddConstraint(
            model_name="aimodel",
            constraint=models.CheckConstraint(
                condition=models.Q(("replacement", models.F("model_id")), _negated=True),
                name="models_replacement_not_self",
                violation_error_message="A model cannot replace itself.",
            ),
        ),
        migrations.AddConstraint(
            model_name="aimodel",
            constraint=models.CheckConstraint(
                condition=models.Q(("sunset_at__isnull", True), ("status", "deprecated"), _connector="OR"),
                name="models_sunset_only_deprecated",
                violation_error_message="Only a deprecated model has a sunset date.",
            ),
        ),
        migrations.AddConstraint(
            model_name="aimodel",
            constraint=models.CheckConstraint(
                condition=models.Q(("replacement__isnull", True), ("status", "deprecated"), _connector="OR"),
                name="models_replacement_only_deprecated",
                violation_error_message="Only a deprecated model names a replacement.",
            ),
        ),
        migrations.AddConstraint(
            model_name="aimodel",
            constraint=models.CheckConstraint(
                condition=models.Q(("deprecation_note", ""), ("status", "deprecated"), _connector="OR"),
                name="models_deprecation_note_only_deprecated",
            ),
        ),
        migrations.AddConstraint(
            model_name="aimodel",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("deprecated_at__isnull", False), ("status", "deprecated")),
                    models.Q(models.Q(("status", "deprecated"), _negated=True), ("deprecated_at__isnull", True)),
                    _connector="OR",
                ),
                name="models_deprecated_at_when_deprecated",
            ),
        ),
        migrations.AddIndex(
            model_name="aimodel",
            index=models.Index(fields=["replacement", "status"], name="models_replacement_status_idx"),
        ),
        migrations.RemoveIndex(model_name="aimodel", name="models_listed_idx"),
        migrations.AddIndex(
            model_name="aimodel",
            index=models.Index(
                condition=models.Q(("is_public", True), ("is_served", True)),
                fields=["category"],
                include=("sunset_at",),
                name="models_listed_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="aimodel", name="models_listed_id_idx"),
        migrations.AddIndex(
            model_name="aimodel",
            index=models.Index(
                condition=models.Q(("is_public", True), ("is_served", True)),
                fields=["model_id"],
                include=("sunset_at",),
                name="models_listed_id_idx",
            ),
        ),
    ]
