-- user_history_counts when a history row's user, status, cost or latency changes
-- (functions/user_history_counts_move.sql).
--
-- A statement trigger with transition tables may not name columns, and would run for every rating saved;
-- a row trigger with a WHEN runs only for the rare row that changes what is counted.
CREATE OR REPLACE TRIGGER user_history_counts_update
    AFTER UPDATE OF user_id, status, cost_incurred, response_time_ms ON user_history
    FOR EACH ROW
    WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.cost_incurred IS DISTINCT FROM NEW.cost_incurred
          OR OLD.response_time_ms IS DISTINCT FROM NEW.response_time_ms)
    EXECUTE FUNCTION user_history_counts_move();
