-- model_reviews.helpful_votes when a vote moves to another review: one off the old, one on the new.
CREATE OR REPLACE TRIGGER review_votes_count_helpful_move AFTER UPDATE OF review_id ON review_votes
    FOR EACH ROW WHEN (OLD.review_id IS DISTINCT FROM NEW.review_id)
    EXECUTE FUNCTION review_votes_count_helpful();
