-- models.is_served when a developer's status or account changes (functions/developers_is_served.sql).
CREATE OR REPLACE TRIGGER developers_is_served AFTER UPDATE OF status, user_id ON developers
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION developers_is_served();
