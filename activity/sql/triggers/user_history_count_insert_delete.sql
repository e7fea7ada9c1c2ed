-- model_users pairs and model_daily_stats on history insert and delete (functions/user_history_count.sql).
CREATE OR REPLACE TRIGGER user_history_count_insert_delete AFTER INSERT OR DELETE ON user_history
    FOR EACH ROW EXECUTE FUNCTION user_history_count();
