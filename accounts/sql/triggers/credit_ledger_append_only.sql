-- Entries are never changed or deleted (functions/credit_ledger_append_only.sql).
CREATE OR REPLACE TRIGGER credit_ledger_append_only BEFORE UPDATE OR DELETE ON credit_ledger
    FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();
