from django.db import migrations

# The key from user_sessions to users cascades in the database like every other (activity 0003). A migration
# of its own: Django adds the table's foreign key at the end of the migration that creates the table.
SQL = """
DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS tbl, pg_get_constraintdef(c.oid) AS def
          FROM pg_constraint c
         WHERE c.contype = 'f' AND c.conrelid::regclass::text = 'user_sessions'
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s', fk.tbl, fk.conname, fk.conname,
                       regexp_replace(fk.def, '\\)( DEFERRABLE|$)', ') ON DELETE CASCADE\\1'));
    END LOOP;
END;
$$;
"""

REVERSE_SQL = """
DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS tbl, pg_get_constraintdef(c.oid) AS def
          FROM pg_constraint c
         WHERE c.contype = 'f' AND c.conrelid::regclass::text = 'user_sessions'
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s', fk.tbl, fk.conname, fk.conname,
                       replace(fk.def, ' ON DELETE CASCADE', ''));
    END LOOP;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_session_epoch_and_user_sessions")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
