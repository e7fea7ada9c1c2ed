from django.db import migrations

# The rules of call_media (0017) that live in the database, whoever writes the rows.
#
# A migration of its own: Django adds a new table's foreign keys at the end of the migration that creates
# it, so a statement redefining them must run in a later one. Like every key of the platform, call_media's
# two cascade in the database (a deleted history entry or user takes its media rows with it), so a row
# deleted by plain SQL leaves nothing pointing at nothing.
#
# The files stay behind a deleted row unless something removes them: a statement trigger with a transition
# table queues the deleted rows' paths in call_media_deletions, in the deleting transaction, and
# activity.media.purge_deleted_media removes the queued files from storage. TRUNCATE fires no DELETE
# trigger; nothing in the project truncates call_media. Frozen copies of
# activity/sql/functions/call_media_queue_deletions.sql and activity/sql/triggers/call_media_queue_deletions.sql.
SQL = r"""
DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT conname, pg_get_constraintdef(oid) AS def
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = 'call_media'::regclass
    LOOP
        EXECUTE format('ALTER TABLE call_media DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                       fk.conname, fk.conname,
                       regexp_replace(fk.def, '\)( DEFERRABLE|$)', ') ON DELETE CASCADE\1'));
    END LOOP;
END;
$$;

CREATE FUNCTION call_media_queue_deletions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO call_media_deletions (path) SELECT path FROM gone;
    RETURN NULL;
END;
$$;

CREATE TRIGGER call_media_queue_deletions AFTER DELETE ON call_media
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION call_media_queue_deletions();
"""

REVERSE_SQL = r"""
DROP TRIGGER call_media_queue_deletions ON call_media;
DROP FUNCTION call_media_queue_deletions();

DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT conname, pg_get_constraintdef(oid) AS def
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = 'call_media'::regclass
    LOOP
        EXECUTE format('ALTER TABLE call_media DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                       fk.conname, fk.conname, replace(fk.def, ' ON DELETE CASCADE', ''));
    END LOOP;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0017_call_media")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
