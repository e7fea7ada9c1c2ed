-- models.like_count follows model_likes. A relative UPDATE of the model row takes that row's lock: two
-- transactions liking the same model at once queue on it, and the second re-reads the first's committed
-- count (READ COMMITTED re-evaluates the SET expression on the newest row version), so the count is exact
-- where a re-counting trigger would miss the other transaction's uncommitted like. The insert's foreign
-- key check holds only a KEY SHARE lock on the model row, which this NO KEY UPDATE does not conflict
-- with, so a like never deadlocks against another like.
CREATE OR REPLACE FUNCTION model_likes_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE models SET like_count = like_count - 1 WHERE model_id = OLD.model_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE models SET like_count = like_count + 1 WHERE model_id = NEW.model_id;
    END IF;
    RETURN NULL;
END;
$$;
