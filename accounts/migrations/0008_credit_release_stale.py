from django.db import migrations

# credit_settle releases and charges at most once per call (credit_ledger_once_per_call, 0007), and charges a
# call whose hold credit_release_stale already released only while the balance covers it;
# credit_release_stale releases the holds of calls never recorded; users_credit_balance_guard lets only the
# ledger's own trigger move a balance. Frozen copies of the files under accounts/sql/functions/.
SQL = r"""
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
        VALUES (gen_random_uuid(), p_user_id, p_reserved, 'release', p_history_id, p_model_id)
        ON CONFLICT (history_id, kind) WHERE history_id IS NOT NULL DO NOTHING;
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

CREATE OR REPLACE FUNCTION credit_release_stale(p_since timestamptz, p_before timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    released integer;
BEGIN
    INSERT INTO credit_ledger (entry_id, user_id, amount, kind, history_id, model_id, note)
    SELECT gen_random_uuid(), r.user_id, -r.amount, 'release', r.history_id, r.model_id,
           'Released: the call was never recorded'
      FROM credit_ledger r
     WHERE r.kind = 'reservation' AND r.created_at >= p_since AND r.created_at < p_before
       AND NOT EXISTS (SELECT 1 FROM credit_ledger x WHERE x.history_id = r.history_id AND x.kind = 'release')
     ORDER BY r.user_id
    ON CONFLICT (history_id, kind) WHERE history_id IS NOT NULL DO NOTHING;
    GET DIAGNOSTICS released = ROW_COUNT;
    RETURN released;
END;
$$;

CREATE OR REPLACE FUNCTION users_credit_balance_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.credit_balance := 0;
    ELSIF NEW.credit_balance IS DISTINCT FROM OLD.credit_balance
          AND (current_setting('amp.credit_ledger', true) IS DISTINCT FROM 'on' OR pg_trigger_depth() < 2) THEN
        NEW.credit_balance := OLD.credit_balance;
    END IF;
    RETURN NEW;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_credit_ledger_once_per_call"),
        ("activity", "0015_forwarded_figures_and_reservations"),
    ]

    operations = [migrations.RunSQL(SQL, "DROP FUNCTION credit_release_stale(timestamptz, timestamptz);")]
