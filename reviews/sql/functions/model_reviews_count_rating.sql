-- models.rating_count / rating_sum / average_rating follow visible reviews: an insert, a delete, a rating
-- edited, a review hidden or shown, a review moved to another model. Hidden reviews do not count. Each
-- change goes to the model row through models_add_rating.sql, whose relative UPDATE keeps the figures
-- exact under concurrent writers.
CREATE OR REPLACE FUNCTION model_reviews_count_rating() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.model_id = NEW.model_id THEN
        -- One update of the model row with the net change (rating edited, hidden or shown).
        PERFORM models_add_rating(
            NEW.model_id,
            (NOT NEW.is_hidden)::int - (NOT OLD.is_hidden)::int,
            CASE WHEN NEW.is_hidden THEN 0 ELSE NEW.rating END
              - CASE WHEN OLD.is_hidden THEN 0 ELSE OLD.rating END);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') AND NOT OLD.is_hidden THEN
        PERFORM models_add_rating(OLD.model_id, -1, -OLD.rating);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.is_hidden THEN
        PERFORM models_add_rating(NEW.model_id, 1, NEW.rating);
    END IF;
    RETURN NULL;
END;
$$;
