-- developers.total_models_created follows inserts and deletes of models, and a model moved to another
-- developer. A relative UPDATE takes the developer row's lock, so concurrent inserts add up exactly.
CREATE OR REPLACE FUNCTION models_count_for_developer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE developers SET total_models_created = total_models_created - 1
         WHERE developer_id = OLD.developer_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE developers SET total_models_created = total_models_created + 1
         WHERE developer_id = NEW.developer_id;
    END IF;
    RETURN NULL;
END;
$$;
