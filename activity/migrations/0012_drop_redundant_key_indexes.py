"""Drop the single-column indexes Django gave the foreign keys of the tables every call writes.

Each is the leading column of another index: api_usage_logs_{model,dev,user}_ts_idx,
user_history_user_session_ts_unique and user_history_{model,user}_ts_idx, model_users_model_user_unique
and model_users_user_top_idx, developer_monthly_usage_unique, model_daily_stats_model_day_unique. Those
serve the same lookups (the cascades' deletes by key among them), so the nine indexes only cost every
call's inserts and updates (model_users rows are rewritten on every exchange) and their disk and cache.

Only the indexes change in the database: Django's AlterField would also drop and re-add the foreign keys,
losing the ON DELETE CASCADE of 0003 and re-checking ten million rows. So the field change is state only.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# (index, table, column): Django's names for the foreign keys' own indexes.
REDUNDANT_KEY_INDEXES = [
    ("api_usage_logs_developer_id_e448ee5c", "api_usage_logs", "developer_id"),
    ("api_usage_logs_model_id_a53bf70a", "api_usage_logs", "model_id"),
    ("api_usage_logs_user_id_13f9cbd8", "api_usage_logs", "user_id"),
    ("developer_monthly_usage_developer_id_455243a9", "developer_monthly_usage", "developer_id"),
    ("model_daily_stats_model_id_1fb2c2f4", "model_daily_stats", "model_id"),
    ("model_users_model_id_f8c2e8c4", "model_users", "model_id"),
    ("model_users_user_id_27d9e9a8", "model_users", "user_id"),
    ("user_history_model_id_77573337", "user_history", "model_id"),
    ("user_history_user_id_04c97e5c", "user_history", "user_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_admin_labels"),
        ("activity", "0011_history_count_sums"),
        ("catalog", "0005_listed_models_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="apiusagelog",
                    name="developer",
                    field=models.ForeignKey(
                        blank=True,
                        db_column="developer_id",
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="usage_logs",
                        to="accounts.developer",
                    ),
                ),
                migrations.AlterField(
                    model_name="apiusagelog",
                    name="model",
                    field=models.ForeignKey(
                        db_column="model_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="usage_logs",
                        to="catalog.aimodel",
                    ),
                ),
                migrations.AlterField(
                    model_name="apiusagelog",
                    name="user",
                    field=models.ForeignKey(
                        blank=True,
                        db_column="user_id",
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="usage_logs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="developermonthlyusage",
                    name="developer",
                    field=models.ForeignKey(
                        db_column="developer_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="monthly_usage",
                        to="accounts.developer",
                    ),
                ),
                migrations.AlterField(
                    model_name="modeldailystats",
                    name="model",
                    field=models.ForeignKey(
                        db_column="model_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="daily_stats",
                        to="catalog.aimodel",
                    ),
                ),
                migrations.AlterField(
                    model_name="modeluser",
                    name="model",
                    field=models.ForeignKey(
                        db_column="model_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.aimodel",
                    ),
                ),
                migrations.AlterField(
                    model_name="modeluser",
                    name="user",
                    field=models.ForeignKey(
                        db_column="user_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="userhistory",
                    name="model",
                    field=models.ForeignKey(
                        db_column="model_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="history",
                        to="catalog.aimodel",
                    ),
                ),
                migrations.AlterField(
                    model_name="userhistory",
                    name="user",
                    field=models.ForeignKey(
                        db_column="user_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="history",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in REDUNDANT_KEY_INDEXES
            ],
        ),
    ]
