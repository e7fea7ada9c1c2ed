-- Everything a call reserves before it is forwarded, in one transaction (one round trip): a share of the
-- key's spending limit, the price out of the user's credits, one call of the user's monthly share of the
-- model, and one call of the developer's monthly quota. Any refusal raises SQLSTATE AMP01 with the
-- gateway's error code as the message (and the figures as DETAIL), which undoes the reservations made
-- before it: a refused call reserves nothing.
--
-- Each counter is one conditional upsert (or, for credits, a ledger entry after a check under the user's
-- row lock), so every limit is exact however many calls arrive at once: PostgreSQL serialises the writers
-- of a row and re-checks the condition against the latest value. The rows are taken in one order (key,
-- user, consumer share, developer quota), and credit_settle takes the ones it shares in the same order,
-- so no two calls wait on each other.
--
-- p_price is zero for calls that cost their caller nothing (a model's own key, a free model): they
-- reserve no credits and no key spending. `used` is the developer's calls this month, this one included.
CREATE OR REPLACE FUNCTION gateway_reserve(
    p_developer_id uuid, p_month date, p_quota integer, p_async boolean,
    p_model_id uuid, p_user_id uuid, p_consumer_limit integer,
    p_key_id uuid, p_key_limit numeric, p_key_period_start timestamptz,
    p_price numeric, p_history_id uuid,
    OUT used integer, OUT refusal text, OUT detail text
) LANGUAGE plpgsql AS $$
DECLARE
    v_spent numeric;
    v_balance numeric;
    v_calls integer;
BEGIN
    IF p_async THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    BEGIN
        IF p_key_limit IS NOT NULL AND p_price > 0 THEN
            INSERT INTO api_key_spend AS s (id, key_id, period_start, spent)
            SELECT gen_random_uuid(), p_key_id, p_key_period_start, p_price WHERE p_price <= p_key_limit
            ON CONFLICT (key_id, period_start) DO UPDATE SET spent = s.spent + EXCLUDED.spent
                WHERE s.spent + EXCLUDED.spent <= p_key_limit
            RETURNING s.spent INTO v_spent;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = 'AMP01', MESSAGE = 'key_limit_reached',
                    DETAIL = (SELECT COALESCE(max(spent), 0)::text FROM api_key_spend
                               WHERE key_id = p_key_id AND period_start = p_key_period_start);
            END IF;
        END IF;
        IF p_price > 0 THEN
            SELECT credit_balance INTO v_balance FROM users WHERE user_id = p_user_id FOR NO KEY UPDATE;
            IF v_balance < p_price THEN
                RAISE EXCEPTION USING ERRCODE = 'AMP01', MESSAGE = 'insufficient_credits', DETAIL = v_balance::text;
            END IF;
            INSERT INTO credit_ledger (entry_id, user_id, amount, kind, history_id, model_id)
            VALUES (gen_random_uuid(), p_user_id, -p_price, 'reservation', p_history_id, p_model_id);
        END IF;
        IF p_consumer_limit IS NOT NULL AND p_user_id IS NOT NULL THEN
            INSERT INTO model_consumer_usage AS c (id, model_id, user_id, month, calls)
            VALUES (gen_random_uuid(), p_model_id, p_user_id, p_month, 1)
            ON CONFLICT (model_id, user_id, month) DO UPDATE SET calls = c.calls + 1 WHERE c.calls < p_consumer_limit
            RETURNING c.calls INTO v_calls;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = 'AMP01', MESSAGE = 'consumer_limit_reached',
                    DETAIL = p_consumer_limit::text;
            END IF;
        END IF;
        v_calls := NULL;
        IF p_quota > 0 THEN
            INSERT INTO developer_monthly_usage AS u (id, developer_id, month, calls)
            VALUES (gen_random_uuid(), p_developer_id, p_month, 1)
            ON CONFLICT (developer_id, month) DO UPDATE SET calls = u.calls + 1 WHERE u.calls < p_quota
            RETURNING u.calls INTO v_calls;
        END IF;
        IF v_calls IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'AMP01', MESSAGE = 'quota_exceeded', DETAIL = p_quota::text;
        END IF;
        used := v_calls;
    EXCEPTION WHEN SQLSTATE 'AMP01' THEN
        GET STACKED DIAGNOSTICS refusal = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    END;
END;
$$;
