-- collections.updated_at on every update (accounts/sql/functions/set_updated_at.sql).
CREATE OR REPLACE TRIGGER collections_set_updated_at BEFORE UPDATE ON collections
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
