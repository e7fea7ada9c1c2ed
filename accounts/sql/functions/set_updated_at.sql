-- updated_at on every update: every table with an updated_at column has a BEFORE UPDATE trigger running
-- this (users, developers, models, model_reviews, review_replies), so plain SQL and the admin keep it too.
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
