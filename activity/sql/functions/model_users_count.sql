-- models.total_users: the number of (model, user) pairs in model_users, kept by a trigger on that table.
-- A history insert upserts its pair with ON CONFLICT; a history delete decrements the pair under its row
-- lock and removes it at zero (functions/user_history_count.sql). Counting on model_users itself keeps the
-- figure right when a cascade (a deleted user) removes the pair before or after its history rows.
CREATE OR REPLACE FUNCTION model_users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE models SET total_users = total_users + 1 WHERE model_id = NEW.model_id;
    ELSE
        UPDATE models SET total_users = total_users - 1 WHERE model_id = OLD.model_id;
    END IF;
    RETURN NULL;
END;
$$;
