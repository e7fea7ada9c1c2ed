from django.db import migrations

# The rules of model_likes, collections and collection_models (0001) that live in the database.
#
# A migration of its own: Django adds a new table's foreign keys at the end of the migration that creates
# it, so a statement redefining them must run in a later one. Django 5.2 creates foreign keys without a
# database action; like every key of the platform these cascade (a deleted user takes their likes and
# collections, a deleted model its likes and its places in collections, a deleted collection its items),
# so a row deleted by plain SQL leaves nothing pointing at nothing.
#
# models.like_count follows the likes (a relative update of the model row: exact under concurrent
# writers, see favourites/sql/functions/model_likes_count.sql), and collections.updated_at follows every
# update like every other table's. Their current text is in favourites/sql/.
TABLES = "ARRAY['model_likes', 'collections', 'collection_models']"

SQL = rf"""
DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT conname, conrelid::regclass AS tbl, pg_get_constraintdef(oid) AS def
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid::regclass::text = ANY({TABLES})
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                       fk.tbl, fk.conname, fk.conname,
                       regexp_replace(fk.def, '\)( DEFERRABLE|$)', ') ON DELETE CASCADE\1'));
    END LOOP;
END;
$$;

CREATE FUNCTION model_likes_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE models SET like_count = like_count - 1 WHERE model_id = OLD.model_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE models SET like_count = like_count + 1 WHERE model_id = NEW.model_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER model_likes_count_insert_delete AFTER INSERT OR DELETE ON model_likes
    FOR EACH ROW EXECUTE FUNCTION model_likes_count();
CREATE TRIGGER model_likes_count_move AFTER UPDATE OF model_id ON model_likes
    FOR EACH ROW WHEN (OLD.model_id IS DISTINCT FROM NEW.model_id)
    EXECUTE FUNCTION model_likes_count();

CREATE TRIGGER collections_set_updated_at BEFORE UPDATE ON collections
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Likes written before this migration (none on a new database) counted once.
UPDATE models m SET like_count = l.n
  FROM (SELECT model_id, count(*) AS n FROM model_likes GROUP BY model_id) l
 WHERE m.model_id = l.model_id;
"""

# The tables go with the reverse of 0001; their keys go back to NO ACTION first.
REVERSE_SQL = rf"""
DROP TRIGGER collections_set_updated_at ON collections;
DROP TRIGGER model_likes_count_move ON model_likes;
DROP TRIGGER model_likes_count_insert_delete ON model_likes;
DROP FUNCTION model_likes_count();

DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT conname, conrelid::regclass AS tbl, pg_get_constraintdef(oid) AS def
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid::regclass::text = ANY({TABLES})
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                       fk.tbl, fk.conname, fk.conname, replace(fk.def, ' ON DELETE CASCADE', ''));
    END LOOP;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("favourites", "0001_initial"), ("accounts", "0002_updated_at_triggers")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
