-- credit_ledger is append-only: an entry is never changed, and never deleted while its user exists (a
-- deleted user's entries go with the user, by the foreign key's cascade). A correction is a new entry.
CREATE OR REPLACE FUNCTION credit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM users WHERE user_id = OLD.user_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'credit_ledger is append-only: % of entry % refused', lower(TG_OP), OLD.entry_id
        USING ERRCODE = 'restrict_violation', HINT = 'Write a new entry (an adjustment) instead.';
END;
$$;
