import uuid

import django.contrib.postgres.functions
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The history page of a user with a long history, at any depth and with any filter (the triggers that keep
# user_history_counts and its backfill are in 0010, once Django has created the table's constraints):
#
# - user_history_counts: the user's rows per status, so the page's total (or the count of one status) is
#   read from at most three rows instead of counted over the history.
# - user_history_user_ts_idx now holds the page's full order (history_id breaks ties) and includes the
#   model and status: a page's ids, however deep its OFFSET, and a filtered count are read from the index
#   alone, and the page then fetches only its 25 rows.
# - model_users_user_top_idx: the user's most-called models (the model filter) without sorting all of
#   their pairs. It makes the pair's UPDATE a non-HOT one, which is cheap next to the call it counts.
# - An index-only scan reads the heap for every page not yet marked all-visible, and by default an
#   insert-only table is vacuumed after 20 % new rows (400,000 of 2 million history rows). user_history
#   is vacuumed after 1 % instead: a vacuum that skips the pages already all-visible costs little.
AUTOVACUUM = "ALTER TABLE user_history SET (autovacuum_vacuum_insert_scale_factor = 0.01);"
AUTOVACUUM_RESET = "ALTER TABLE user_history RESET (autovacuum_vacuum_insert_scale_factor);"


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0008_public_models_view_is_served"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="UserHistoryCount",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        db_default=django.contrib.postgres.functions.RandomUUID(),
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("completed", "Completed"), ("failed", "Failed"), ("timeout", "Timed out")],
                        max_length=16,
                    ),
                ),
                ("interactions", models.IntegerField(db_default=0, default=0, editable=False)),
                (
                    "user",
                    models.ForeignKey(
                        db_column="user_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "user_history_counts",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "status"), name="user_history_counts_user_status_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["completed", "failed", "timeout"])),
                        name="user_history_counts_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("interactions__gte", 0)),
                        name="user_history_counts_interactions_non_negative",
                    ),
                ],
            },
        ),
        migrations.RemoveIndex(model_name="userhistory", name="user_history_user_ts_idx"),
        migrations.AddIndex(
            model_name="userhistory",
            index=models.Index(
                fields=["user", "-request_timestamp", "-history_id"],
                include=("model", "status"),
                name="user_history_user_ts_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="modeluser",
            index=models.Index(fields=["user", "-interactions", "model"], name="model_users_user_top_idx"),
        ),
        migrations.RunSQL(AUTOVACUUM, AUTOVACUUM_RESET),
    ]
