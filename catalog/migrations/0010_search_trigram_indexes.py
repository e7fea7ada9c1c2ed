"""Typo-tolerant search and suggestions as people type: pg_trgm and trigram GIN indexes.

Each index is on the expression Django writes for icontains/istartswith (UPPER(col::text)), so the same
index answers "contains these letters" (LIKE '%…%', for suggestions) and "looks like this"
(similarity, the `%` operator, for "Did you mean …?"). The developers' username index lives here, not in
accounts, because only the catalog's search reads it.

A server without pg_trgm (the embedded PostgreSQL of `make run` ships without contrib) gets neither the
extension nor the indexes: the search still works there, reading the rows (catalog.search falls back to
difflib for "Did you mean").
"""

from django.db import migrations

from core.migration_sql import if_extension_available

INDEXES = {
    "models_display_name_trgm_idx": ("models", "display_name"),
    "models_api_name_trgm_idx": ("models", "api_name"),
    "developers_username_trgm_idx": ("developers", "username"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_credit_ledger_apply_per_statement"),
        ("catalog", "0009_model_kinds"),
    ]

    operations = [
        migrations.RunSQL(
            if_extension_available(
                "pg_trgm",
                "\n".join(
                    f"CREATE INDEX {name} ON {table} USING gin (upper(({column})::text) gin_trgm_ops);"
                    for name, (table, column) in INDEXES.items()
                ),
            ),
            "".join(f"DROP INDEX IF EXISTS {name};" for name in INDEXES),
        ),
    ]
