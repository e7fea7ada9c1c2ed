-- The (model, user) pair in model_users (and so models.total_users, model_users_count.sql) and the
-- interactions and revenue of model_daily_stats follow user_history. A history insert upserts its pair
-- with ON CONFLICT; a history delete decrements the pair under its row lock and removes it at zero. The
-- pair also counts the user's answered (completed) calls of the model, which make a "verified caller".
--
-- The model's row first. Concurrent calls on one model deadlocked: a call's statement locks up to three
-- kinds of rows through the triggers, the model (total_requests, total_users), its model_users pair and its
-- model_daily_stats day, and not always in the same order: a 2xx log row takes the model and then the day,
-- a user's history row takes the pair and then the day (and the model only for a user's first call), and
-- the gateway writes both rows of a call in one statement whose two inserts may fire in either order. Two
-- calls then waited on each other and PostgreSQL aborted one of them, losing its log row. So each trigger
-- takes the model's row first (FOR NO KEY UPDATE, which foreign-key checks do not wait for): the writers of
-- one model queue on that row before anything else and always meet the other rows in the same order. A
-- row that moves between models locks both, in model_id order.
CREATE OR REPLACE FUNCTION user_history_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pair_interactions integer;
BEGIN
    -- The model's row first, before the pair and day rows below: see the note above.
    PERFORM 1 FROM models
     WHERE model_id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.model_id END,
                        CASE WHEN TG_OP <> 'DELETE' THEN NEW.model_id END)
     ORDER BY model_id
       FOR NO KEY UPDATE;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE model_users SET interactions = interactions - 1,
                               answered = answered - (OLD.status = 'completed')::integer
         WHERE model_id = OLD.model_id AND user_id = OLD.user_id
        RETURNING interactions INTO pair_interactions;
        IF pair_interactions = 0 THEN
            DELETE FROM model_users WHERE model_id = OLD.model_id AND user_id = OLD.user_id;
        END IF;
        PERFORM activity_rollup_add(
            OLD.model_id, (OLD.request_timestamp AT TIME ZONE 'UTC')::date,
            0, 0, 0, 0, 0, NULL, -1, -OLD.cost_incurred);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO model_users AS p (id, model_id, user_id, interactions, answered)
        VALUES (gen_random_uuid(), NEW.model_id, NEW.user_id, 1, (NEW.status = 'completed')::integer)
        ON CONFLICT (model_id, user_id) DO UPDATE SET interactions = p.interactions + 1,
                                                      answered = p.answered + EXCLUDED.answered;
        PERFORM activity_rollup_add(
            NEW.model_id, (NEW.request_timestamp AT TIME ZONE 'UTC')::date,
            0, 0, 0, 0, 0, NULL, 1, NEW.cost_incurred);
    END IF;
    RETURN NULL;
END;
$$;
