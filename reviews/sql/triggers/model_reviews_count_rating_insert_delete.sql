-- The model's rating figures on review insert and delete (functions/model_reviews_count_rating.sql).
CREATE OR REPLACE TRIGGER model_reviews_count_rating_insert_delete AFTER INSERT OR DELETE ON model_reviews
    FOR EACH ROW EXECUTE FUNCTION model_reviews_count_rating();
