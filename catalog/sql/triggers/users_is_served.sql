-- models.is_served when an account's status changes (functions/users_is_served.sql).
CREATE OR REPLACE TRIGGER users_is_served AFTER UPDATE OF status ON users
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION users_is_served();
