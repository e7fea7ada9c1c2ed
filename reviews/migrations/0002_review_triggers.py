from django.db import migrations

# models.rating_count / rating_sum / average_rating follow visible reviews; model_reviews.helpful_votes
# follows review_votes. Each is a relative UPDATE of the counted row, which takes that row's lock: two
# transactions writing at once queue on the lock, and the second re-reads the first's committed figures
# (READ COMMITTED re-evaluates the SET expressions on the newest row version), so the sums are exact
# where a re-aggregating trigger would miss the other transaction's uncommitted row.
SQL = """
CREATE TRIGGER model_reviews_set_updated_at BEFORE UPDATE ON model_reviews
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER review_replies_set_updated_at BEFORE UPDATE ON review_replies
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION models_add_rating(p_model_id uuid, p_count integer, p_sum integer) RETURNS void
LANGUAGE sql AS $$
    UPDATE models
       SET rating_count = rating_count + p_count,
           rating_sum = rating_sum + p_sum,
           average_rating = CASE WHEN rating_count + p_count > 0
                                 THEN round((rating_sum + p_sum)::numeric / (rating_count + p_count), 2)
                                 ELSE 0 END
     WHERE model_id = p_model_id;
$$;

CREATE FUNCTION model_reviews_count_rating() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER model_reviews_count_rating_insert_delete AFTER INSERT OR DELETE ON model_reviews
    FOR EACH ROW EXECUTE FUNCTION model_reviews_count_rating();
CREATE TRIGGER model_reviews_count_rating_update AFTER UPDATE OF rating, is_hidden, model_id ON model_reviews
    FOR EACH ROW
    WHEN (OLD.rating IS DISTINCT FROM NEW.rating OR OLD.is_hidden IS DISTINCT FROM NEW.is_hidden
          OR OLD.model_id IS DISTINCT FROM NEW.model_id)
    EXECUTE FUNCTION model_reviews_count_rating();

CREATE FUNCTION review_votes_count_helpful() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER review_votes_count_helpful_insert_delete AFTER INSERT OR DELETE ON review_votes
    FOR EACH ROW EXECUTE FUNCTION review_votes_count_helpful();
CREATE TRIGGER review_votes_count_helpful_move AFTER UPDATE OF review_id ON review_votes
    FOR EACH ROW WHEN (OLD.review_id IS DISTINCT FROM NEW.review_id)
    EXECUTE FUNCTION review_votes_count_helpful();
"""

REVERSE_SQL = """
DROP TRIGGER review_votes_count_helpful_move ON review_votes;
DROP TRIGGER review_votes_count_helpful_insert_delete ON review_votes;
DROP FUNCTION review_votes_count_helpful();
DROP TRIGGER model_reviews_count_rating_update ON model_reviews;
DROP TRIGGER model_reviews_count_rating_insert_delete ON model_reviews;
DROP FUNCTION model_reviews_count_rating();
DROP FUNCTION models_add_rating(uuid, integer, integer);
DROP TRIGGER review_replies_set_updated_at ON review_replies;
DROP TRIGGER model_reviews_set_updated_at ON model_reviews;
"""


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial"), ("catalog", "0002_model_triggers")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
