-- users.credit_balance changes only through credit_ledger (credit_ledger_apply): a new user starts at zero,
-- and any other write of the column (a save() of a user loaded before the balance moved, an UPDATE by
-- hand) keeps the balance as it was. The ledger's write is told apart by its flag and by being made from
-- within a trigger (pg_trigger_depth() > 1): a session that sets the flag itself still cannot.
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
