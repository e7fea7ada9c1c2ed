"""Delete call media past their retention period, then remove every queued file (see activity.media)."""

from django.core.management.base import BaseCommand

from activity.media import expire_media, purge_deleted_media


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


class Command(BaseCommand):
    help = (
        "Delete the call_media rows past their expires_at (CALL_MEDIA_RETENTION_DAYS after the call), then "
        "delete from storage the files of every deleted row (expired, or gone with its history entry or "
        "user). Safe to run at any time and from several hosts at once; run it hourly or daily."
    )

    def handle(self, *args, **options):
        expired = expire_media()
        removed = purge_deleted_media()
        self.stdout.write(
            f"Expired {_plural(expired, 'media row')}; removed {_plural(removed, 'queued file')}."
        )
