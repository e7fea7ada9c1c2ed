from django.db import migrations

SQL = """
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER developers_set_updated_at BEFORE UPDATE ON developers
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
"""

REVERSE_SQL = """
DROP TRIGGER developers_set_updated_at ON developers;
DROP TRIGGER users_set_updated_at ON users;
DROP FUNCTION set_updated_at();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
