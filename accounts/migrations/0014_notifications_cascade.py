from django.db import migrations

from core.migration_sql import cascade_foreign_keys


class Migration(migrations.Migration):
    dependencies = [("accounts", "0013_notifications")]

    operations = [cascade_foreign_keys("notifications")]
