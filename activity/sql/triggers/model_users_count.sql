-- models.total_users on model_users insert and delete (functions/model_users_count.sql).
CREATE OR REPLACE TRIGGER model_users_count AFTER INSERT OR DELETE ON model_users
    FOR EACH ROW EXECUTE FUNCTION model_users_count();
