-- The model's rating figures when a review's rating, visibility or model changes
-- (functions/model_reviews_count_rating.sql).
CREATE OR REPLACE TRIGGER model_reviews_count_rating_update
    AFTER UPDATE OF rating, is_hidden, model_id ON model_reviews
    FOR EACH ROW
    WHEN (OLD.rating IS DISTINCT FROM NEW.rating OR OLD.is_hidden IS DISTINCT FROM NEW.is_hidden
          OR OLD.model_id IS DISTINCT FROM NEW.model_id)
    EXECUTE FUNCTION model_reviews_count_rating();
