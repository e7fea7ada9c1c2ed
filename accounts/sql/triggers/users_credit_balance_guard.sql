-- Only the ledger moves a balance (functions/users_credit_balance_guard.sql).
CREATE OR REPLACE TRIGGER users_credit_balance_guard BEFORE INSERT OR UPDATE OF credit_balance ON users
    FOR EACH ROW EXECUTE FUNCTION users_credit_balance_guard();
