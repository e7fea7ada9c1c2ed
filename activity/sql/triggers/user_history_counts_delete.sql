-- user_history_counts on history deletes, once per statement (functions/user_history_counts_remove.sql).
CREATE OR REPLACE TRIGGER user_history_counts_delete AFTER DELETE ON user_history
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION user_history_counts_remove();
