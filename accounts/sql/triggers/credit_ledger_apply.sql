-- users.credit_balance moves with every entry (functions/credit_ledger_apply.sql).
CREATE OR REPLACE TRIGGER credit_ledger_apply AFTER INSERT ON credit_ledger
    FOR EACH ROW EXECUTE FUNCTION credit_ledger_apply();
