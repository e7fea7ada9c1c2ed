from django.db import migrations

# Django 5.2 emulates ON DELETE CASCADE in Python only; its foreign keys are created as NO ACTION. These
# statements redefine every foreign key that touches the platform's tables (including Django's own rows
# that point at users, such as admin log entries and group memberships) as ON DELETE CASCADE, so a row
# deleted by plain SQL takes its dependents with it. A guard test fails if a later migration adds a
# foreign key that does not cascade.
TABLES = (
    "users", "developers", "user_api_keys", "models", "user_history", "api_usage_logs", "model_users",
    "developer_monthly_usage", "model_daily_stats", "model_reviews", "review_votes", "review_replies",
)

REDEFINE = """
DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS tbl, pg_get_constraintdef(c.oid) AS def
          FROM pg_constraint c
         WHERE c.contype = 'f'
           AND (c.conrelid::regclass::text = ANY(%(tables)s) OR c.confrelid::regclass::text = ANY(%(tables)s))
    LOOP
        EXECUTE format('ALTER TABLE %%s DROP CONSTRAINT %%I, ADD CONSTRAINT %%I %%s',
                       fk.tbl, fk.conname, fk.conname, %(rewrite)s);
    END LOOP;
END;
$$;
"""

ARRAY = "ARRAY[" + ", ".join(f"'{t}'" for t in TABLES) + "]"
SQL = REDEFINE % {
    "tables": ARRAY,
    "rewrite": "regexp_replace(regexp_replace(fk.def, ' ON DELETE \\w+( \\w+)?', ''), '\\)( DEFERRABLE|$)', ') ON DELETE CASCADE\\1')",
}
REVERSE_SQL = REDEFINE % {"tables": ARRAY, "rewrite": "replace(fk.def, ' ON DELETE CASCADE', '')"}


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0002_activity_triggers"),
        ("reviews", "0002_review_triggers"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
