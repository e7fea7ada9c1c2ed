-- models.total_requests and model_daily_stats when a usage log's counted columns change
-- (functions/api_usage_logs_count.sql).
CREATE OR REPLACE TRIGGER api_usage_logs_count_update
    AFTER UPDATE OF model_id, response_code, created_at, processing_time_ms ON api_usage_logs
    FOR EACH ROW EXECUTE FUNCTION api_usage_logs_count();
