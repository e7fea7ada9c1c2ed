"""What the site tells its users: one inbox row per event (/me/notifications/), and a mail beside it.

Each kind (accounts.models.NotificationKind) can be switched off in the profile: off on the site keeps
nothing and mails nothing; off by mail keeps the inbox row only. The inbox row and the mail are written in
the caller's transaction (the mail leaves once it commits, through accounts.mail), so a decision rolled back
tells nobody.

Every sender passes the message as it reads then: a `title` (one sentence), the `url` it is about, and the
plain values its mail template needs. Nothing refers back to rows that may change or go: the inbox shows
what was said when it was said.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.mail import mail_send, site_url
from accounts.models import Notification, NotificationKind, User

# The header's badge says "99+" beyond this many unread.
UNREAD_BADGE_CAP = 99


@dataclass(frozen=True)
class Message:
    """One event to tell: its kind, the inbox's title and link, more payload, and the mail to send.

    `mail_template` names templates/emails/<name>_subject.txt, .txt and .html; they are given
    `mail_context` plus `title`, `url`, `name` (the recipient's first name or username, unless
    `mail_context` names them otherwise) and `preferences_url` (the page that switches kinds off, which
    every such mail names in its last line). `mail_to` replaces the recipient's own address (a developer's
    mail goes to the developer's address)."""

    kind: NotificationKind
    title: str
    url: str
    payload: dict[str, Any] = field(default_factory=dict)
    mail_template: str | None = None
    mail_context: dict[str, Any] = field(default_factory=dict)


def notify(*, user_id: Any, message: Message, mail_to: str | None = None) -> Notification | None:
    """Tell one user; None when they switched the kind off."""
    sent = notify_many(user_ids=[user_id], message=message, mail_to={user_id: mail_to} if mail_to else None)
    return sent[0] if sent else None


@transaction.atomic
def notify_many(
    *, user_ids: Iterable[Any], message: Message, mail_to: dict[Any, str] | None = None
) -> list[Notification]:
    """Tell each of the users once (an id given twice counts once): one INSERT … SELECT over the users
    who did not switch the kind off, then one mail each to those who kept its mail. Returns the rows
    written."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return []
    payload = {**message.payload, "title": message.title, "url": message.url}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO notifications (user_id, kind, payload)
            SELECT user_id, %s, %s::jsonb FROM users
             WHERE user_id = ANY(%s::uuid[]) AND NOT (%s = ANY(notifications_off))
            RETURNING notification_id
            """,
            [message.kind.value, _json(payload), [str(pk) for pk in ids], message.kind.value],
        )
        written = [row[0] for row in cursor.fetchall()]
    notifications = list(Notification.objects.filter(pk__in=written).select_related("user"))
    if message.mail_template:
        for notification in notifications:
            user = notification.user
            if message.kind.value in user.notification_mails_off:
                continue
            address = (mail_to or {}).get(user.pk) or user.email
            if not address:
                continue
            mail_send(
                to=address,
                template=message.mail_template,
                context={
                    "title": message.title,
                    "url": message.url,
                    "name": user.first_name or user.username,
                    "preferences_url": _preferences_url(),
                    **message.mail_context,
                },
                mail_id=notification.pk,
            )
    return notifications


def unread_count(user: User) -> int:
    """The badge beside the inbox's link (the partial index notifications_unread_idx answers it)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox(user: User, *, kind: str | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first (notifications_user_idx), of one kind when given."""
    rows = Notification.objects.filter(user=user)
    return rows.filter(kind=kind) if kind else rows


def with_unread_count(users: QuerySet[User]) -> QuerySet[User]:
    """The users with `unread_notifications`, their unread count up to UNREAD_BADGE_CAP + 1, read in the
    same query (the partial index notifications_unread_idx answers the subquery). The session's user is
    loaded this way (accounts.backends), so the header's badge costs no query of its own, and a user with
    thousands unread costs no more than one with a hundred."""
    return users.annotate(
        unread_notifications=RawSQL(
            "SELECT count(*) FROM (SELECT 1 FROM notifications n WHERE n.user_id = users.user_id"
            " AND n.read_at IS NULL LIMIT %s) unread",
            [UNREAD_BADGE_CAP + 1],
            output_field=IntegerField(),
        )
    )


def mark_read(*, user: User, notification_ids: Iterable[Any] | None = None) -> int:
    """Mark some of the user's notifications read (all when no ids are given); others' ids change nothing."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def preferences_set(*, user: User, off: Iterable[str], mails_off: Iterable[str]) -> None:
    """Save which kinds the user switched off (unknown kinds are refused by the database's CHECK)."""
    user.notifications_off = sorted(set(off))
    user.notification_mails_off = sorted(set(mails_off))
    user.save(update_fields=["notifications_off", "notification_mails_off"])


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder)


def _preferences_url() -> str:
    return site_url("me:notification_settings")
