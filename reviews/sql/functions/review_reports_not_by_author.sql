-- Nobody reports their own review, however the row is written. A review never changes author (the admin
-- keeps model_reviews.user_id read-only), so reading the review's author without a lock is exact.
CREATE OR REPLACE FUNCTION review_reports_not_by_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM model_reviews WHERE review_id = NEW.review_id AND user_id = NEW.user_id) THEN
        RAISE EXCEPTION 'a review cannot be reported by its author'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'review_reports_not_by_author';
    END IF;
    RETURN NEW;
END;
$$;
