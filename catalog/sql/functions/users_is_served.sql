-- models.is_served: the model is active (or deprecated with a sunset date), its developer is active and
-- the developer's account is active; what the gateway serves and, with is_public, what the catalog lists.
-- Kept by triggers so the catalog's queries read one table instead of joining developers and users
-- (200,000 rows at scale).
--
-- An account's status change rewrites the models of its developer row. Those UPDATEs recompute from the
-- newest model row (PostgreSQL re-reads a row changed under it), so a racing model write is not lost.
CREATE OR REPLACE FUNCTION users_is_served() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE models m
       SET is_served = (m.status = 'active' OR (m.status = 'deprecated' AND m.sunset_at IS NOT NULL))
                       AND d.status = 'active' AND NEW.status = 'active'
      FROM developers d
     WHERE d.user_id = NEW.user_id AND m.developer_id = d.developer_id;
    RETURN NULL;
END;
$$;
