-- users.credit_balance: moved by every credit_ledger insert, so the balance is the sum of the user's entries
-- whoever writes them (the gateway, the admin, plain SQL). Once per statement, by the sum of the rows it
-- added per user: a settled call's release and charge (one statement, credit_settle) move the balance by
-- their net, and by nothing at all when they cancel out, so an answered call's settlement never waits on
-- the user's row. The UPDATE takes the user's row lock, so concurrent entries of one user queue and each
-- sees the balance the one before left; entries that would take it below zero fail
-- users_credit_balance_non_negative and are not written.
--
-- amp.credit_ledger tells users_credit_balance_guard that this change of the balance is the ledger's.
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
