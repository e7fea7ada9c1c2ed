-- A deprecation's columns on a model's insert and on a change of its status
-- (functions/models_deprecation_row.sql).
CREATE OR REPLACE TRIGGER models_deprecation_row
    BEFORE INSERT OR UPDATE OF status ON models
    FOR EACH ROW EXECUTE FUNCTION models_deprecation_row();
