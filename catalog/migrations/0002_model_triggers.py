from django.db import migrations

# developers.total_models_created follows inserts and deletes of models. A relative UPDATE takes the
# developer row's lock, so concurrent inserts add up exactly.
SQL = """
CREATE TRIGGER models_set_updated_at BEFORE UPDATE ON models
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION models_count_for_developer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE developers SET total_models_created = total_models_created - 1
         WHERE developer_id = OLD.developer_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE developers SET total_models_created = total_models_created + 1
         WHERE developer_id = NEW.developer_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER models_count_for_developer_insert_delete AFTER INSERT OR DELETE ON models
    FOR EACH ROW EXECUTE FUNCTION models_count_for_developer();
CREATE TRIGGER models_count_for_developer_move AFTER UPDATE OF developer_id ON models
    FOR EACH ROW WHEN (OLD.developer_id IS DISTINCT FROM NEW.developer_id)
    EXECUTE FUNCTION models_count_for_developer();
"""

REVERSE_SQL = """
DROP TRIGGER models_count_for_developer_move ON models;
DROP TRIGGER models_count_for_developer_insert_delete ON models;
DROP FUNCTION models_count_for_developer();
DROP TRIGGER models_set_updated_at ON models;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial"), ("accounts", "0002_updated_at_triggers")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
