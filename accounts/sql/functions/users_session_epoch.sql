-- users.session_epoch moves one up when an account stops being allowed to sign in (active or
-- pending_verification to suspended or inactive), however the status is written (the admin, a form, SQL),
-- and is never written otherwise: a save() of a user loaded before the suspension cannot set it back.
-- The session hash mixes it in (accounts.models.User), so a reactivation does not revive an old session.
CREATE OR REPLACE FUNCTION users_session_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.session_epoch := OLD.session_epoch
        + CASE WHEN OLD.status IN ('active', 'pending_verification')
                    AND NEW.status NOT IN ('active', 'pending_verification') THEN 1 ELSE 0 END;
    RETURN NEW;
END;
$$;
