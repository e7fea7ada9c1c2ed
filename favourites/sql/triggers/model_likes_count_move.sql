-- A like moved to another model by an UPDATE counts on the model it now points at.
CREATE OR REPLACE TRIGGER model_likes_count_move AFTER UPDATE OF model_id ON model_likes
    FOR EACH ROW WHEN (OLD.model_id IS DISTINCT FROM NEW.model_id)
    EXECUTE FUNCTION model_likes_count();
