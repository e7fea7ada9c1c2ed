-- A suspension moves the session epoch (functions/users_session_epoch.sql).
CREATE OR REPLACE TRIGGER users_session_epoch BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION users_session_epoch();
