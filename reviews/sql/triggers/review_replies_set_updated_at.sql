-- review_replies.updated_at on every update (accounts/sql/functions/set_updated_at.sql).
CREATE OR REPLACE TRIGGER review_replies_set_updated_at BEFORE UPDATE ON review_replies
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
