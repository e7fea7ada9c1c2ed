"""Typo-tolerant search and suggestions as people type: pg_trgm and trigram GIN indexes.

Each index is on the expression Django writes for icontains/istartswith (UPPER(col::text)), so the same
index answers "contains these letters" (LIKE '%…%', for suggestions) and "looks like this"
(similarity, the `%` operator, for "Did you mean …?"). The developers' username index lives here, not in
accounts, because only the catalog's search reads it.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

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
        TrigramExtension(),
        *[
            migrations.RunSQL(
                f"CREATE INDEX {name} ON {table} USING gin (upper(({column})::text) gin_trgm_ops);",
                f"DROP INDEX {name};",
            )
            for name, (table, column) in INDEXES.items()
        ],
    ]
