-- model_users pairs and model_daily_stats when a history row's model, user, time or cost changes
-- (functions/user_history_count.sql).
CREATE OR REPLACE TRIGGER user_history_count_update
    AFTER UPDATE OF model_id, user_id, request_timestamp, cost_incurred, status ON user_history
    FOR EACH ROW
    WHEN (OLD.model_id IS DISTINCT FROM NEW.model_id OR OLD.user_id IS DISTINCT FROM NEW.user_id
          OR OLD.request_timestamp IS DISTINCT FROM NEW.request_timestamp
          OR OLD.cost_incurred IS DISTINCT FROM NEW.cost_incurred OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION user_history_count();
