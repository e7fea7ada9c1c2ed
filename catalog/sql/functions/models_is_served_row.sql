-- models.is_served: the model is active (or deprecated with a sunset date), its developer is active and
-- the developer's account is active; what the gateway serves and, with is_public, what the catalog lists.
-- Kept by triggers so the catalog's queries read one table instead of joining developers and users
-- (200,000 rows at scale).
--
-- A deprecated model with a sunset_at is served until that moment. A stored flag cannot follow the clock,
-- so the flag says "served, until sunset_at if it has one": the reads compare sunset_at with now()
-- (catalog.models.SERVED_NOW, the view public_models_view, the gateway on the row it loads).
--
-- A model's own write recomputes the flag from the developer and account rows (BEFORE trigger); a write
-- that sets is_served itself is recomputed too. developers_is_served.sql and users_is_served.sql follow
-- the other two rows.
CREATE OR REPLACE FUNCTION models_is_served_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.is_served := (NEW.status = 'active' OR (NEW.status = 'deprecated' AND NEW.sunset_at IS NOT NULL))
        AND EXISTS (
        SELECT 1 FROM developers d JOIN users u ON u.user_id = d.user_id
         WHERE d.developer_id = NEW.developer_id AND d.status = 'active' AND u.status = 'active');
    RETURN NEW;
END;
$$;
