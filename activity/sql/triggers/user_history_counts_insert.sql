-- user_history_counts on history inserts, once per statement (functions/user_history_counts_add.sql).
CREATE OR REPLACE TRIGGER user_history_counts_insert AFTER INSERT ON user_history
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION user_history_counts_add();
