-- users.updated_at on every update (functions/set_updated_at.sql).
CREATE OR REPLACE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
