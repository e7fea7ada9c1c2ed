"""SQL that several apps' migrations run: the database-level rules DESIGN.md asks of every table.

Migrations call these helpers rather than copying the SQL, so the statement that makes a table's foreign
keys cascade is written once. Each returns a RunSQL that is reversible.
"""

from django.db import migrations

_REDEFINE_KEYS = r"""
DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN
        SELECT conname, pg_get_constraintdef(oid) AS def
          FROM pg_constraint
         WHERE contype = 'f' AND conrelid = '{table}'::regclass
    LOOP
        EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I, ADD CONSTRAINT %I %s',
                       fk.conname, fk.conname, {definition});
    END LOOP;
END;
$$;
"""
_CASCADING = r"regexp_replace(fk.def, '\)( DEFERRABLE|$)', ') ON DELETE CASCADE\1')"
_PLAIN = "replace(fk.def, ' ON DELETE CASCADE', '')"


def cascade_foreign_keys(table: str) -> migrations.RunSQL:
    """Every foreign key of `table` cascades on delete in the database, not only in Django. A migration of
    its own, after the one that creates the table: Django adds a new table's foreign keys at the end of the
    migration that creates it."""
    return migrations.RunSQL(
        _REDEFINE_KEYS.format(table=table, definition=_CASCADING),
        _REDEFINE_KEYS.format(table=table, definition=_PLAIN),
    )


def if_extension_available(extension: str, sql: str) -> str:
    """`sql` (statements that need `extension`), run only where the server can install it: the embedded
    PostgreSQL of `make run` ships without contrib. The extension is created first (pg_trgm is trusted:
    the database's owner may create it)."""
    return f"""
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = '{extension}') THEN
        CREATE EXTENSION IF NOT EXISTS {extension};
        {sql}
    ELSE
        RAISE NOTICE '{extension} is not available on this server: left out.';
    END IF;
END;
$$;
"""
