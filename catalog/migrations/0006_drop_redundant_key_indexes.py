"""Drop models' single-column index on developer_id: models_developer_status_idx leads with it.

Every call updates its model's row; an update that cannot stay on its page (not HOT) writes every index of
the table. Only the index changes in the database: Django's AlterField would also drop and re-add the
foreign key, losing its ON DELETE CASCADE. So the field change is state only.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_admin_labels"),
        ("catalog", "0005_listed_models_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="aimodel",
                    name="developer",
                    field=models.ForeignKey(
                        db_column="developer_id",
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="models",
                        to="accounts.developer",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "models_developer_id_55101170"',
                    reverse_sql='CREATE INDEX IF NOT EXISTS "models_developer_id_55101170" ON "models" ("developer_id")',
                ),
            ],
        ),
    ]
