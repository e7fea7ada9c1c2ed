"""Tasks of the activity app: maintenance scheduled by beat (CELERY_BEAT_SCHEDULE), and notices."""

from io import StringIO

from celery import shared_task
from django.core.management import call_command

from activity.notices import model_deprecation_notify


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


@shared_task(acks_late=True)
def notify_model_deprecated(model_id: str, sunset_at: str) -> int:
    """Tell a deprecated model's users (activity.notices.model_deprecation_notify): queued by the
    dashboard when a developer deprecates a model or moves its sunset. Safe to repeat: nobody is told
    twice of the same sunset."""
    return model_deprecation_notify(model_id=model_id, sunset_at=sunset_at)
