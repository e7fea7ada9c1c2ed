-- The end of a priced call's reservation (activity/sql/functions/gateway_reserve.sql), written with the
-- call's records: the reserved price is released, and what the call cost (its price when the upstream
-- answered, nothing when it failed) is charged, in one statement, so the balance moves once by their net
-- (credit_ledger_apply): not at all for an answered call, which then never waits on its user's row. What
-- the call did not cost goes back to the key's spending too. Rows are taken in gateway_reserve's order
-- (the key's spending, then the user).
--
-- A call that outlived CREDIT_HOLD_MAX_SECONDS may find its hold already released by
-- credit_release_stale: it is then charged only if the balance still covers it (a late answer never takes
-- a balance below zero, and never fails its records). credit_ledger_once_per_call keeps each kind of
-- entry to one per call either way.
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
