-- model_reviews.helpful_votes on vote insert and delete (functions/review_votes_count_helpful.sql).
CREATE OR REPLACE TRIGGER review_votes_count_helpful_insert_delete AFTER INSERT OR DELETE ON review_votes
    FOR EACH ROW EXECUTE FUNCTION review_votes_count_helpful();
