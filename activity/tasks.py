"""Tasks of the activity app, scheduled by beat (CELERY_BEAT_SCHEDULE)."""

from io import StringIO

from celery import shared_task
from django.core.management import call_command


@shared_task
def maintain_usage_log_partitions() -> str:
    """`manage.py usage_log_partitions` daily: creates the coming months' partitions of api_usage_logs and
    detaches (archives or drops) those past retention. A worker that dies mid-run leaves the task to run
    again, so the command must be safe to repeat: it creates only the partitions missing and detaches only
    those still attached."""
    out = StringIO()
    call_command("usage_log_partitions", stdout=out)
    return out.getvalue()


@shared_task
def expire_call_media() -> str:
    """`manage.py expire_call_media` hourly: deletes the files of calls past CALL_MEDIA_RETENTION_DAYS and
    removes from storage every file whose row was deleted (a history entry or an account deleted). Safe to
    repeat: it deletes only rows still there and files still queued."""
    out = StringIO()
    call_command("expire_call_media", stdout=out)
    return out.getvalue()
