-- The tags' text in models.search_vector (a generated column, weight B).
--
-- array_to_string() is only STABLE, and a generated column needs IMMUTABLE functions. Joining a text[] with
-- spaces depends on nothing but its input, so this wrapper may honestly say IMMUTABLE.
CREATE OR REPLACE FUNCTION catalog_tags_text(tags text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT array_to_string(tags, ' ') $$;
