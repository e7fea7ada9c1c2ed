-- models.is_served on a model's insert and on a change of its status, sunset, developer or the flag itself
-- (functions/models_is_served_row.sql).
CREATE OR REPLACE TRIGGER models_is_served_row
    BEFORE INSERT OR UPDATE OF status, sunset_at, developer_id, is_served ON models
    FOR EACH ROW EXECUTE FUNCTION models_is_served_row();
