-- model_reviews.helpful_votes follows review_votes. A relative UPDATE of the review row takes that row's
-- lock, so concurrent votes add up exactly.
CREATE OR REPLACE FUNCTION review_votes_count_helpful() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE model_reviews SET helpful_votes = helpful_votes - 1 WHERE review_id = OLD.review_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE model_reviews SET helpful_votes = helpful_votes + 1 WHERE review_id = NEW.review_id;
    END IF;
    RETURN NULL;
END;
$$;
