-- users.credit_balance moves with every statement's entries (functions/credit_ledger_apply.sql).
CREATE OR REPLACE TRIGGER credit_ledger_apply AFTER INSERT ON credit_ledger
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION credit_ledger_apply();
