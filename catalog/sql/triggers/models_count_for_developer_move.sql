-- developers.total_models_created when a model changes developer: one off the old, one on the new.
CREATE OR REPLACE TRIGGER models_count_for_developer_move AFTER UPDATE OF developer_id ON models
    FOR EACH ROW WHEN (OLD.developer_id IS DISTINCT FROM NEW.developer_id)
    EXECUTE FUNCTION models_count_for_developer();
