"""Leave half of each page of models free, so that the update every call makes stays on its page.

A call adds one to its model's total_requests (and the triggers move other counters on the same row). With
full pages, PostgreSQL must put the new version of a popular model's row on another page, and write an
entry in each of the table's seventeen indexes, two of them GIN; on the benchmark database
only 19% of these updates were HOT. With room on the page, an update that changes no indexed column is
HOT: one new row version, no index entries (86% measured, the rest being page pruning catching up). The
table holds one row per listed model, so doubling its size costs little; its full-text searches read the
same number of rows.

Pages written before this keep their rows until those rows move: a popular model's row moves to a page
with room at its first update that is not HOT, and stays there. VACUUM FULL models rewrites every page
at once (it locks the table while it runs).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_drop_redundant_key_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE models SET (fillfactor = 50)",
            reverse_sql="ALTER TABLE models RESET (fillfactor)",
        ),
    ]
