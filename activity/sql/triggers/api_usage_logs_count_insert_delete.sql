-- models.total_requests and model_daily_stats on usage log insert and delete
-- (functions/api_usage_logs_count.sql).
CREATE OR REPLACE TRIGGER api_usage_logs_count_insert_delete AFTER INSERT OR DELETE ON api_usage_logs
    FOR EACH ROW EXECUTE FUNCTION api_usage_logs_count();
