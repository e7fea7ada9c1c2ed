# The history page's text search, `/me/history/?q=`, is prompt__icontains: UPPER(prompt) LIKE UPPER('%…%').
# No index served it, so PostgreSQL read every row of the user's history to answer it, twice (the page's
# count, then its rows): about 500 ms for a user with 2 M rows. A GIN index of the trigrams of UPPER(prompt)
# (pg_trgm, a trusted extension: the database's owner may create it) answers LIKE '%…%' for any pattern of
# three characters or more by reading only the rows whose trigrams match; shorter patterns have no trigram,
# and PostgreSQL keeps reading the user's rows through user_history_user_ts_idx, as before.
#
# The index is on the expression Django's icontains writes, so the search means what it meant (the same
# rows), and it covers every user's rows rather than leading with user_id: with btree_gin's (user_id, …)
# the heavy user's entry would be a posting list of millions of rows to intersect, while a light user's
# search is already quick through user_history_user_ts_idx, and the planner picks between them.
#
# Built CONCURRENTLY (so not in a transaction): the gateway keeps writing history rows while it builds
# (2.5 min for 2.2 M rows, 147 MB, on the 2-core machine under others' load). Measured with
# bench/history_search.py on a user with 2 M rows (3 interleaved rounds, one run): a rare word's search
# 6,413 → 3.4 ms, one in 270 prompts 2,717 → 42 ms, one nearly every prompt holds 2,431 → 391 ms (with the
# count capped at 10,000, activity.views.history); the gateway's history INSERT 1.10× [0.81–2.23] per row
# (1.00× [0.58–1.37] in the run before): within the noise of a loaded machine.

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations
from django.db.models.functions import Upper

INDEX = GinIndex(OpClass(Upper("prompt"), name="gin_trgm_ops"), name="user_history_prompt_trgm_idx")


def create_index(apps, schema_editor):
    # Only where pg_trgm is installed (catalog 0010 installs it where the server has it; the embedded
    # PostgreSQL of `make run` has not): without it the search reads the user's rows, as before.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
        if not cursor.fetchone()[0]:
            return
    model = apps.get_model("activity", "UserHistory")
    schema_editor.execute(INDEX.create_sql(model, schema_editor, concurrently=True))


def drop_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS user_history_prompt_trgm_idx")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("activity", "0020_public_models_view_sunset"),
    ]

    # pg_trgm itself comes with catalog 0010 (before this, through activity 0020): reversing this migration
    # must not drop the extension the catalog's indexes use.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="userhistory", index=INDEX)],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
