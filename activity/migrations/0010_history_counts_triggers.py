from django.db import migrations

# user_history_counts (0009) kept by triggers: a user's history rows per status.
#
# Statement triggers with transition tables add or remove a whole statement's rows with one write per
# (user, status), in key order: a cascade that deletes a user's or a model's thousands of rows costs one
# UPDATE, and two such statements lock their counts in the same order. Inserts upsert with ON CONFLICT,
# exact under concurrent first calls; deletes only UPDATE, so a count that its user's cascade removed
# first stays removed. They run after the row triggers of the statement, so a call still locks its model
# row before anything else (0007). A row that changes user or status moves between two counts.
#
# The triggers are created before the backfill, in the same transaction: CREATE TRIGGER holds off writers
# of user_history until the commit, so no row is counted twice or missed.
SQL = r"""
DO $$
DECLARE
    fk record;
BEGIN
    -- Django 5.2 creates foreign keys without a database action; every table of the platform cascades.
    FOR fk IN
        SELECT conname, pg_get_constraintdef(oid) AS def
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = 'user_history_counts'::regclass
    LOOP
        EXECUTE format('ALTER TABLE user_history_counts DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                       fk.conname, fk.conname,
                       regexp_replace(fk.def, '\)( DEFERRABLE|$)', ') ON DELETE CASCADE\1'));
    END LOOP;
END;
$$;

CREATE FUNCTION user_history_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_history_counts AS c (id, user_id, status, interactions)
    SELECT gen_random_uuid(), user_id, status, count(*)
      FROM added
     GROUP BY user_id, status
     ORDER BY user_id, status
    ON CONFLICT (user_id, status) DO UPDATE SET interactions = c.interactions + EXCLUDED.interactions;
    RETURN NULL;
END;
$$;

CREATE FUNCTION user_history_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Lock in key order first: the UPDATE below would take its rows in whatever order its join yields.
    PERFORM 1 FROM user_history_counts c
     WHERE (c.user_id, c.status) IN (SELECT user_id, status FROM removed)
     ORDER BY c.user_id, c.status
       FOR NO KEY UPDATE;
    UPDATE user_history_counts c SET interactions = c.interactions - r.n
      FROM (SELECT user_id, status, count(*) AS n FROM removed GROUP BY user_id, status) r
     WHERE c.user_id = r.user_id AND c.status = r.status;
    RETURN NULL;
END;
$$;

CREATE FUNCTION user_history_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM user_history_counts
     WHERE (user_id, status) IN ((OLD.user_id, OLD.status), (NEW.user_id, NEW.status))
     ORDER BY user_id, status
       FOR NO KEY UPDATE;
    UPDATE user_history_counts SET interactions = interactions - 1
     WHERE user_id = OLD.user_id AND status = OLD.status;
    INSERT INTO user_history_counts AS c (id, user_id, status, interactions)
    VALUES (gen_random_uuid(), NEW.user_id, NEW.status, 1)
    ON CONFLICT (user_id, status) DO UPDATE SET interactions = c.interactions + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER user_history_counts_insert AFTER INSERT ON user_history
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION user_history_counts_add();

CREATE TRIGGER user_history_counts_delete AFTER DELETE ON user_history
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION user_history_counts_remove();

-- A statement trigger with transition tables may not name columns, and would run for every rating saved;
-- a row trigger with a WHEN runs only for the rare row that changes user or status.
CREATE TRIGGER user_history_counts_update AFTER UPDATE OF user_id, status ON user_history
    FOR EACH ROW
    WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION user_history_counts_move();
"""

# The counts of the rows already there (also what bench/seed_scale.py computes after its load).
BACKFILL = """
INSERT INTO user_history_counts (id, user_id, status, interactions)
SELECT gen_random_uuid(), user_id, status, count(*) FROM user_history GROUP BY user_id, status;
"""

REVERSE_SQL = r"""
DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT conname, pg_get_constraintdef(oid) AS def
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = 'user_history_counts'::regclass
    LOOP
        EXECUTE format('ALTER TABLE user_history_counts DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                       fk.conname, fk.conname, replace(fk.def, ' ON DELETE CASCADE', ''));
    END LOOP;
END;
$$;

DROP TRIGGER user_history_counts_update ON user_history;
DROP TRIGGER user_history_counts_delete ON user_history;
DROP TRIGGER user_history_counts_insert ON user_history;
DROP FUNCTION user_history_counts_move();
DROP FUNCTION user_history_counts_remove();
DROP FUNCTION user_history_counts_add();
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0009_history_counts_and_page_indexes")]

    operations = [
        migrations.RunSQL(SQL, REVERSE_SQL),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
