"""Keep the monthly partitions of api_usage_logs (activity.partitions); beat runs it daily."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from activity import partitions


class Command(BaseCommand):
    help = (
        "Create api_usage_logs partitions for this month and the next USAGE_LOG_PARTITIONS_AHEAD, move rows "
        "of the default partition into their months, and detach months older than "
        "USAGE_LOG_RETENTION_MONTHS (0: keep all), archiving each to USAGE_LOG_ARCHIVE_DIR as a gzip CSV "
        "or dropping it (USAGE_LOG_ARCHIVE). Safe to repeat and to start from several hosts at once."
    )

    def handle(self, *args, **options):
        try:
            report = partitions.maintain(
                connection=connection,
                today=timezone.now().date(),
                ahead=settings.USAGE_LOG_PARTITIONS_AHEAD,
                retention_months=settings.USAGE_LOG_RETENTION_MONTHS,
                mode=settings.USAGE_LOG_ARCHIVE,
                archive_dir=Path(settings.USAGE_LOG_ARCHIVE_DIR),
            )
        except (ValueError, RuntimeError) as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
