-- models.is_served: the model is active (or deprecated with a sunset date), its developer is active and
-- the developer's account is active; what the gateway serves and, with is_public, what the catalog lists.
-- Kept by triggers so the catalog's queries read one table instead of joining developers and users
-- (200,000 rows at scale).
--
-- A developer's status change rewrites its models from each model row's status; it reads the account's
-- status FOR SHARE, so a concurrent suspension of the account waits for it, or it waits for that.
CREATE OR REPLACE FUNCTION developers_is_served() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    account_active boolean;
BEGIN
    SELECT u.status = 'active' INTO account_active FROM users u WHERE u.user_id = NEW.user_id FOR SHARE;
    UPDATE models m
       SET is_served = (m.status = 'active' OR (m.status = 'deprecated' AND m.sunset_at IS NOT NULL))
                       AND NEW.status = 'active' AND COALESCE(account_active, false)
     WHERE m.developer_id = NEW.developer_id;
    RETURN NULL;
END;
$$;
