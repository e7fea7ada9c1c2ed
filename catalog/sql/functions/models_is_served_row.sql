-- models.is_served: the model is active, its developer is active and the developer's account is active;
-- what the gateway serves and, with is_public, what the catalog lists. Kept by triggers so the catalog's
-- queries read one table instead of joining developers and users (200,000 rows at scale).
--
-- A model's own write recomputes the flag from the developer and account rows (BEFORE trigger); a write
-- that sets is_served itself is recomputed too. developers_is_served.sql and users_is_served.sql follow
-- the other two rows.
CREATE OR REPLACE FUNCTION models_is_served_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.is_served := NEW.status = 'active' AND EXISTS (
        SELECT 1 FROM developers d JOIN users u ON u.user_id = d.user_id
         WHERE d.developer_id = NEW.developer_id AND d.status = 'active' AND u.status = 'active');
    RETURN NEW;
END;
$$;
