-- Releases the holds of calls that were never recorded: reservations made before p_before (and after
-- p_since, so each run reads a bounded window) with no release. A call's records release its hold in the
-- statement that writes them (credit_settle); a process killed mid-call, or records that could not be
-- written, leave it held until this runs (`manage.py release_stale_holds`). credit_ledger_once_per_call
-- makes a race with a late credit_settle release once. Returns the number of holds released.
CREATE OR REPLACE FUNCTION credit_release_stale(p_since timestamptz, p_before timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    released integer;
BEGIN
    INSERT INTO credit_ledger (entry_id, user_id, amount, kind, history_id, model_id, note)
    SELECT gen_random_uuid(), r.user_id, -r.amount, 'release', r.history_id, r.model_id,
           'Released: the call was never recorded'
      FROM credit_ledger r
     WHERE r.kind = 'reservation' AND r.created_at >= p_since AND r.created_at < p_before
       AND NOT EXISTS (SELECT 1 FROM credit_ledger x WHERE x.history_id = r.history_id AND x.kind = 'release')
     ORDER BY r.user_id
    ON CONFLICT (history_id, kind) WHERE history_id IS NOT NULL DO NOTHING;
    GET DIAGNOSTICS released = ROW_COUNT;
    RETURN released;
END;
$$;
