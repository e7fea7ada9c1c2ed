"""Streamed calls: the time to an answer's first piece (first_chunk_ms) on api_usage_logs and user_history,
and the `cancelled` status of a history row whose caller went away mid-stream.

The new columns are nullable (a call not streamed has no first piece), so adding them rewrites nothing.
The CHECK constraints (the widened status lists, first_chunk_ms >= 0) are added NOT VALID, which holds the
table's exclusive lock only for an instant, and then validated by a statement of their own, whose scan lets
the gateway keep writing (it takes SHARE UPDATE EXCLUSIVE). Hence atomic = False: in one transaction the
exclusive lock would be held through the scans of the two largest tables.
"""

from django.db import migrations, models

STATUSES = ["completed", "failed", "timeout", "cancelled"]
STATUS_CHOICES = [
    ("completed", "Completed"),
    ("failed", "Failed"),
    ("timeout", "Timed out"),
    ("cancelled", "Cancelled"),
]
BEFORE = "'completed', 'failed', 'timeout'"
AFTER = "'completed', 'failed', 'timeout', 'cancelled'"


def replace_check(table: str, name: str, check: str, previous: str | None) -> list[migrations.RunSQL]:
    """Drop `name` (if it was there) and add it as `check`, NOT VALID; then validate it on its own."""
    drop = f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}"
    restore = (
        [f"{drop}", f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({previous})"]
        if previous
        else [drop]
    )
    return [
        migrations.RunSQL(
            [drop, f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID"],
            reverse_sql=restore,
        ),
        migrations.RunSQL(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}", reverse_sql=migrations.RunSQL.noop),
    ]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("activity", "0012_drop_redundant_key_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="apiusagelog",
            name="first_chunk_ms",
            field=models.IntegerField(
                blank=True, help_text="Streamed calls: time to the answer's first piece.", null=True
            ),
        ),
        migrations.AddField(
            model_name="userhistory",
            name="first_chunk_ms",
            field=models.IntegerField(
                blank=True, help_text="Streamed calls: time to the answer's first piece.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="userhistory",
            name="status",
            field=models.CharField(choices=STATUS_CHOICES, max_length=16),
        ),
        migrations.AlterField(
            model_name="userhistorycount",
            name="status",
            field=models.CharField(choices=STATUS_CHOICES, max_length=16),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="userhistory", name="user_history_status_valid"),
                migrations.AddConstraint(
                    model_name="userhistory",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", STATUSES)), name="user_history_status_valid"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="userhistory",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("first_chunk_ms__gte", 0)),
                        name="user_history_first_chunk_non_negative",
                    ),
                ),
                migrations.RemoveConstraint(
                    model_name="userhistorycount", name="user_history_counts_status_valid"
                ),
                migrations.AddConstraint(
                    model_name="userhistorycount",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", STATUSES)), name="user_history_counts_status_valid"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="apiusagelog",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("first_chunk_ms__gte", 0)),
                        name="api_usage_logs_first_chunk_non_negative",
                    ),
                ),
            ],
            database_operations=[
                *replace_check(
                    "user_history", "user_history_status_valid", f"status IN ({AFTER})", f"status IN ({BEFORE})"
                ),
                *replace_check(
                    "user_history", "user_history_first_chunk_non_negative", "first_chunk_ms >= 0", None
                ),
                *replace_check(
                    "user_history_counts",
                    "user_history_counts_status_valid",
                    f"status IN ({AFTER})",
                    f"status IN ({BEFORE})",
                ),
                *replace_check(
                    "api_usage_logs", "api_usage_logs_first_chunk_non_negative", "first_chunk_ms >= 0", None
                ),
            ],
        ),
    ]
