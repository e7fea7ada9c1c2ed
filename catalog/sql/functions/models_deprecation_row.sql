-- A deprecation's columns follow models.status: deprecated_at is set when the status becomes deprecated
-- (the Deprecation header's date), and deprecated_at, sunset_at, replacement_model_id and
-- deprecation_note are cleared when it leaves deprecated (an undone deprecation, staff's decision, a
-- deactivation), so no writer has to remember them. CHECKs (models_*_only_deprecated) refuse them on a
-- model that is not deprecated.
--
-- BEFORE triggers of one table run in name order: this one runs before models_is_served_row, which
-- reads the sunset_at left here.
CREATE OR REPLACE FUNCTION models_deprecation_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM 'deprecated' THEN
        NEW.deprecated_at := NULL;
        NEW.sunset_at := NULL;
        NEW.replacement_model_id := NULL;
        NEW.deprecation_note := '';
    ELSIF TG_OP = 'INSERT' THEN
        NEW.deprecated_at := COALESCE(NEW.deprecated_at, now());
    ELSIF OLD.status IS DISTINCT FROM 'deprecated' THEN
        NEW.deprecated_at := now();
    ELSE
        NEW.deprecated_at := COALESCE(NEW.deprecated_at, OLD.deprecated_at);
    END IF;
    RETURN NEW;
END;
$$;
