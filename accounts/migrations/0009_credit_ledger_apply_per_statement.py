from django.db import migrations

# The balance moves once per ledger statement by the net of its entries (a statement-level trigger with a
# transition table), and credit_settle writes a call's release and charge in one statement: an answered
# call's settlement nets to zero and no longer takes its user's row lock while its records are written.
# Frozen copies of accounts/sql/functions/credit_ledger_apply.sql, credit_settle.sql and
# accounts/sql/triggers/credit_ledger_apply.sql.
SQL = r"""
CREATE OR REPLACE FUNCTION credit_ledger_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('amp.credit_ledger', 'on', true);
    UPDATE users u SET credit_balance = u.credit_balance + a.amount
      FROM (SELECT user_id, sum(amount) AS amount FROM added GROUP BY user_id HAVING sum(amount) <> 0) a
     WHERE u.user_id = a.user_id;
    PERFORM set_config('amp.credit_ledger', 'off', true);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER credit_ledger_apply AFTER INSERT ON credit_ledger
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION credit_ledger_apply();

CREATE OR REPLACE FUNCTION credit_settle(
    p_user_id uuid, p_model_id uuid, p_history_id uuid, p_reserved numeric, p_cost numeric,
    p_key_id uuid, p_key_period_start timestamptz
) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM credit_ledger WHERE history_id = p_history_id AND kind = 'release') THEN
        IF p_key_id IS NOT NULL AND p_cost < p_reserved THEN
            UPDATE api_key_spend SET spent = greatest(spent - (p_reserved - p_cost), 0)
             WHERE key_id = p_key_id AND period_start = p_key_period_start;
        END IF;
        INSERT INTO credit_ledger (entry_id, user_id, amount, kind, history_id, model_id)
        SELECT gen_random_uuid(), p_user_id, entry.amount, entry.kind, p_history_id, p_model_id
          FROM (VALUES (1, 'release', p_reserved), (2, 'charge', -p_cost)) AS entry(n, kind, amount)
         WHERE entry.amount <> 0
         ORDER BY entry.n
        ON CONFLICT (history_id, kind) WHERE history_id IS NOT NULL DO NOTHING;
        RETURN CASE WHEN p_cost > 0 THEN 2 ELSE 1 END;
    END IF;
    IF p_cost > 0 THEN
        INSERT INTO credit_ledger (entry_id, user_id, amount, kind, history_id, model_id)
        SELECT gen_random_uuid(), p_user_id, -p_cost, 'charge', p_history_id, p_model_id
          FROM users WHERE user_id = p_user_id AND credit_balance >= p_cost
        ON CONFLICT (history_id, kind) WHERE history_id IS NOT NULL DO NOTHING;
    END IF;
    RETURN CASE WHEN p_cost > 0 THEN 2 ELSE 1 END;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_credit_release_stale")]

    # Not reversible: 0006 and 0008 hold the previous texts.
    operations = [migrations.RunSQL(SQL)]
