-- model_reviews.updated_at on every update (accounts/sql/functions/set_updated_at.sql).
CREATE OR REPLACE TRIGGER model_reviews_set_updated_at BEFORE UPDATE ON model_reviews
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
