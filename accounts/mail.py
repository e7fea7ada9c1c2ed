"""One path for every mail the site sends: a template name and plain values, handed to the task queue
(accounts.tasks.send_templated_mail), which renders templates/emails/<template>_subject.txt, <template>.txt
and <template>.html and sends the mail, once, outside the request.

Only JSON values travel in the queue, never model instances: the worker renders what the sender saw, and a
message means the same whichever process reads it.
"""

import json
import logging
import uuid
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def site_url(path_or_name: str, *args: Any) -> str:
    """The absolute address of a path, or of a URL name with its arguments, on SITE_URL (mails leave the
    request, so they cannot ask it for the host)."""
    path = reverse(path_or_name, args=args) if not path_or_name.startswith("/") else path_or_name
    return settings.SITE_URL.rstrip("/") + path


def _message(
    *, to: str | list[str], template: str, context: dict[str, Any], mail_id: uuid.UUID | None
) -> dict[str, Any]:
    recipients = [to] if isinstance(to, str) else list(to)
    # Through JSON and back: a value the queue could not carry fails here, with or without a broker.
    plain = json.loads(json.dumps(context))
    return {"mail_id": str(mail_id or uuid.uuid4()), "template": template, "to": recipients, "context": plain}


def _enqueue(message: dict[str, Any]) -> None:
    from accounts.tasks import send_templated_mail

    try:
        send_templated_mail.delay(**message)
    except OperationalError:
        # The broker is away: the mail is sent here, as it was before the queue, rather than lost. Its key
        # still makes it one mail.
        logger.warning("The task queue is unreachable; sending mail %s in the process.", message["mail_id"])
        send_templated_mail.apply(kwargs=message)


def mail_send(
    *, to: str | list[str], template: str, context: dict[str, Any], mail_id: uuid.UUID | None = None
) -> str:
    """Queue the mail once the surrounding transaction commits (at once outside one); a rolled-back
    transaction sends nothing, and a mail or broker failure never undoes what the transaction wrote.
    Returns the mail's key: the same key sends at most one mail, however often the task runs."""
    message = _message(to=to, template=template, context=context, mail_id=mail_id)
    transaction.on_commit(partial(_enqueue, message), robust=True)
    return message["mail_id"]


def mail_send_now(
    *, to: str | list[str], template: str, context: dict[str, Any], mail_id: uuid.UUID | None = None
) -> str:
    """Queue the mail at once, for a caller that wrote nothing the mail depends on (a password reset)."""
    message = _message(to=to, template=template, context=context, mail_id=mail_id)
    _enqueue(message)
    return message["mail_id"]
