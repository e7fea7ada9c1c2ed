from django.db import migrations

# Every foreign key cascades in the database (see activity 0003). Frozen copies of accounts/sql/{functions,triggers}/credit_ledger_*.sql and users_credit_balance_guard.sql.
SQL = """
CREATE OR REPLACE FUNCTION credit_ledger_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('amp.credit_ledger', 'on', true);
    UPDATE users SET credit_balance = credit_balance + NEW.amount WHERE user_id = NEW.user_id;
    PERFORM set_config('amp.credit_ledger', 'off', true);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION credit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM users WHERE user_id = OLD.user_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'credit_ledger is append-only: % of entry % refused', lower(TG_OP), OLD.entry_id
        USING ERRCODE = 'restrict_violation', HINT = 'Write a new entry (an adjustment) instead.';
END;
$$;

CREATE OR REPLACE FUNCTION users_credit_balance_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.credit_balance := 0;
    ELSIF NEW.credit_balance IS DISTINCT FROM OLD.credit_balance
          AND current_setting('amp.credit_ledger', true) IS DISTINCT FROM 'on' THEN
        NEW.credit_balance := OLD.credit_balance;
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER credit_ledger_apply AFTER INSERT ON credit_ledger
    FOR EACH ROW EXECUTE FUNCTION credit_ledger_apply();
CREATE OR REPLACE TRIGGER credit_ledger_append_only BEFORE UPDATE OR DELETE ON credit_ledger
    FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();
CREATE OR REPLACE TRIGGER users_credit_balance_guard BEFORE INSERT OR UPDATE OF credit_balance ON users
    FOR EACH ROW EXECUTE FUNCTION users_credit_balance_guard();

DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS tbl, pg_get_constraintdef(c.oid) AS def
          FROM pg_constraint c
         WHERE c.contype = 'f' AND c.conrelid::regclass::text IN ('credit_ledger', 'api_key_spend')
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s', fk.tbl, fk.conname, fk.conname,
                       regexp_replace(fk.def, '\\)( DEFERRABLE|$)', ') ON DELETE CASCADE\\1'));
    END LOOP;
END;
$$;
"""

REVERSE_SQL = """
DROP TRIGGER users_credit_balance_guard ON users;
DROP TRIGGER credit_ledger_append_only ON credit_ledger;
DROP TRIGGER credit_ledger_apply ON credit_ledger;
DROP FUNCTION users_credit_balance_guard();
DROP FUNCTION credit_ledger_append_only();
DROP FUNCTION credit_ledger_apply();
"""


class Migration(migrations.Migration):
    # After activity 0003, whose rewrite of every foreign key touching users would otherwise run later on a
    # fresh database and, meeting these already cascading, leave them without their cascade.
    dependencies = [
        ("accounts", "0005_credits_and_key_limits"),
        ("activity", "0003_cascading_foreign_keys"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
