-- users.credit_balance: moved by every credit_ledger row as it is inserted, so the balance is the sum of the
-- user's entries whoever writes them (the gateway, the admin, plain SQL). The UPDATE takes the user's row
-- lock, so concurrent entries of one user queue and each sees the balance the one before left; an entry
-- that would take it below zero fails users_credit_balance_non_negative and is not written.
--
-- amp.credit_ledger tells users_credit_balance_guard that this change of the balance is the ledger's.
CREATE OR REPLACE FUNCTION credit_ledger_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('amp.credit_ledger', 'on', true);
    UPDATE users SET credit_balance = credit_balance + NEW.amount WHERE user_id = NEW.user_id;
    PERFORM set_config('amp.credit_ledger', 'off', true);
    RETURN NULL;
END;
$$;
