-- developers.total_models_created on model insert and delete (functions/models_count_for_developer.sql).
CREATE OR REPLACE TRIGGER models_count_for_developer_insert_delete AFTER INSERT OR DELETE ON models
    FOR EACH ROW EXECUTE FUNCTION models_count_for_developer();
