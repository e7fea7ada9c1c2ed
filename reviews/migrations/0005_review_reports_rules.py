from django.db import migrations

# The rules of review_reports (0004) that live in the database, whoever writes the rows.
#
# A migration of its own: Django adds a new table's foreign keys at the end of the migration that creates
# it, so a statement redefining them must run in a later one. Django 5.2 creates foreign keys without a
# database action; like every key of the platform these three cascade (a deleted review, reporter or
# moderator takes its reports with it), so a row deleted by plain SQL leaves nothing pointing at nothing.
#
# Two triggers: a review's author cannot report it, and a review that becomes hidden resolves its open
# reports. Their current text is in reviews/sql/functions/ and reviews/sql/triggers/, each file named as
# its object; the comments there tell why the second stays exact against a report written at the same time.
SQL = r"""
DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT conname, pg_get_constraintdef(oid) AS def
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = 'review_reports'::regclass
    LOOP
        EXECUTE format('ALTER TABLE review_reports DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                       fk.conname, fk.conname,
                       regexp_replace(fk.def, '\)( DEFERRABLE|$)', ') ON DELETE CASCADE\1'));
    END LOOP;
END;
$$;

CREATE FUNCTION review_reports_not_by_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM model_reviews WHERE review_id = NEW.review_id AND user_id = NEW.user_id) THEN
        RAISE EXCEPTION 'a review cannot be reported by its author'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'review_reports_not_by_author';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER review_reports_not_by_author BEFORE INSERT OR UPDATE OF review_id, user_id
    ON review_reports FOR EACH ROW EXECUTE FUNCTION review_reports_not_by_author();

CREATE FUNCTION model_reviews_resolve_reports() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE review_reports
       SET resolved_at = now(),
           resolution = 'hidden',
           resolved_by_id = nullif(current_setting('reviews.moderator_id', true), '')::uuid
     WHERE review_id = NEW.review_id AND resolved_at IS NULL;
    RETURN NULL;
END;
$$;

CREATE TRIGGER model_reviews_resolve_reports AFTER UPDATE OF is_hidden ON model_reviews
    FOR EACH ROW WHEN (NEW.is_hidden AND NOT OLD.is_hidden) EXECUTE FUNCTION model_reviews_resolve_reports();
"""

# The table goes with the reverse of 0004; its keys go back to NO ACTION first.
REVERSE_SQL = r"""
DROP TRIGGER model_reviews_resolve_reports ON model_reviews;
DROP FUNCTION model_reviews_resolve_reports();
DROP TRIGGER review_reports_not_by_author ON review_reports;
DROP FUNCTION review_reports_not_by_author();

DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT conname, pg_get_constraintdef(oid) AS def
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = 'review_reports'::regclass
    LOOP
        EXECUTE format('ALTER TABLE review_reports DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                       fk.conname, fk.conname, replace(fk.def, ' ON DELETE CASCADE', ''));
    END LOOP;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_review_reports")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
