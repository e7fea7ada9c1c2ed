-- developers.updated_at on every update (functions/set_updated_at.sql).
CREATE OR REPLACE TRIGGER developers_set_updated_at BEFORE UPDATE ON developers
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
