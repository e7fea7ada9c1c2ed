"""Tasks of the accounts app: sending mail, and the maintenance beat schedules (CELERY_BEAT_SCHEDULE).

Every task may run more than once for one message: a worker acknowledges a message only after the task has
run (late acknowledgement), so a worker killed mid-task leaves the message to another. Each task here says
why a second run does no harm.
"""

import logging
from datetime import timedelta
from io import StringIO
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import SentMail
from accounts.services.credits import stale_holds_release

logger = logging.getLogger(__name__)

# A sent mail's key is kept this long: far longer than any redelivery (CELERY_VISIBILITY_TIMEOUT, retries).
SENT_MAIL_KEEP = timedelta(days=7)
# Successful sign-ins django-axes records (AccessLog) are kept this long.
SIGN_IN_LOG_KEEP_DAYS = 90
MAIL_RETRY_SECONDS = 60


def render_mail(*, template: str, to: list[str], context: dict[str, Any]) -> EmailMultiAlternatives:
    # A header holds one line, whatever a model's name holds.
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"emails/{template}.txt", context), to=to
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


@shared_task(bind=True, max_retries=5)
def send_templated_mail(
    self: Any, *, mail_id: str, template: str, to: list[str], context: dict[str, Any]
) -> bool:
    """Render emails/<template>* with `context` and send it to `to`, at most once per `mail_id` however
    often the task runs. Returns whether this run sent it.

    The key is claimed by inserting its sent_mails row in the transaction that sends the mail, committed
    only after the mail server accepted the mail:
    - run again after it sent (a worker killed before acknowledging, a message delivered twice): the
      committed row is there, nothing is sent;
    - the worker killed while sending: its connection to PostgreSQL drops, the transaction and the row
      with it are rolled back, and the next run sends the mail;
    - two runs at once (a send slower than the visibility timeout): the second's insert waits on the
      first's uncommitted row, and sends only if the first rolled back.
    The one window left for a second copy is a process dying after the mail server accepted the mail and
    before PostgreSQL received the COMMIT. That is chosen over the opposite order (claim the key, commit,
    then send: a claim made with cache.add or a committed row) because a worker killed between claiming
    and sending would lose the mail for good, and these mails carry links people are waiting for.
    A mail server that refuses or is away rolls the claim back too; the task tries again a minute later,
    five times (in the process, with no broker, it does not wait and does not retry).
    """
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {SentMail._meta.db_table} (mail_id, template) VALUES (%s, %s) "
                    "ON CONFLICT (mail_id) DO NOTHING RETURNING mail_id",
                    [mail_id, template],
                )
                if cursor.fetchone() is None:
                    logger.info("Mail %s (%s) was sent before; not sending it again.", mail_id, template)
                    return False
            render_mail(template=template, to=to, context=context).send()
    except (SMTPException, OSError) as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=MAIL_RETRY_SECONDS) from exc
    return True


@shared_task
def release_stale_holds() -> int:
    """`manage.py release_stale_holds` every few minutes: a hold is released once (credit_release_stale),
    so a repeat finds nothing left to release."""
    return stale_holds_release(older_than_seconds=settings.CREDIT_HOLD_MAX_SECONDS)


@shared_task
def clear_expired_sessions() -> None:
    """Django's `clearsessions`: deletes what has expired, so a repeat deletes nothing more."""
    call_command("clearsessions")


@shared_task
def prune_sent_mails() -> int:
    """Forget the keys of mails sent more than SENT_MAIL_KEEP ago (a repeat deletes nothing more)."""
    deleted, _ = SentMail.objects.filter(created_at__lt=timezone.now() - SENT_MAIL_KEEP).delete()
    return deleted


@shared_task
def prune_sign_in_logs() -> None:
    """django-axes's `axes_reset_logs`: successful sign-ins older than SIGN_IN_LOG_KEEP_DAYS."""
    call_command("axes_reset_logs", age=SIGN_IN_LOG_KEEP_DAYS, stdout=StringIO())
