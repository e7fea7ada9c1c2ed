"""Telling a model's users that it is deprecated: one inbox row and one mail each (accounts.notifications).

"Its users" are the model_users pairs: every account with a history row of the model (the playground or a
personal key; kept by trigger from user_history, so a user whose calls all failed is one too: they depend on
it as much), except the developer's own account. Calls with the model's own key are the developer's.

Safe to repeat and to run twice at once: each user is told once per model and sunset date. A batch takes
the model's advisory lock, then leaves out the users who already have this notification (the payload's
model_id and sunset_at), so a task run again after a worker died, or a second run racing the first, writes
nothing twice; the mail's key is the inbox row's id, so a mail is sent once too. A new sunset date (moved
later) is a new notice. Users are read in batches of NOTICE_BATCH by user_id, each batch in its own
transaction, so a model with many users holds no long transaction and a failure resumes where it stopped.
"""

from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from accounts.mail import site_url
from accounts.models import Notification, NotificationKind
from accounts.notifications import Message, notify_many
from activity.models import ModelUser
from catalog.models import AIModel

NOTICE_BATCH = 500


def deprecation_message(model: AIModel) -> Message:
    """The notice of `model`'s deprecation as it stands (its sunset, replacement and note)."""
    assert model.sunset_at is not None
    day = model.sunset_at.astimezone(UTC).date().isoformat()
    replacement = model.replacement
    title = f"{model.display_name} will stop answering on {day}"
    if replacement is not None:
        title += f"; {replacement.display_name} replaces it"
    url = site_url("catalog:model_detail", model.api_name)
    return Message(
        kind=NotificationKind.MODEL_DEPRECATED,
        title=title,
        url=url,
        payload={
            "model_id": str(model.pk),
            "api_name": model.api_name,
            "sunset_at": _stamp(model.sunset_at),
            "replacement": replacement.api_name if replacement else None,
        },
        mail_template="model_deprecated",
        mail_context={
            "model_name": model.display_name,
            "api_name": model.api_name,
            "sunset_day": day,
            "replacement_name": replacement.display_name if replacement else "",
            "replacement_api_name": replacement.api_name if replacement else "",
            "replacement_url": site_url("catalog:model_detail", replacement.api_name) if replacement else "",
            "note": model.deprecation_note,
        },
    )


def model_deprecation_notify(*, model_id: Any, sunset_at: str) -> int:
    """Tell every user of the model of its deprecation with this sunset (an ISO time, as the task carries
    it). Nothing when the deprecation was undone or its date moved since: that change tells its own story.
    Returns how many inbox rows were written."""
    model = AIModel.objects.select_related("developer", "replacement").filter(pk=model_id).first()
    wanted = datetime.fromisoformat(sunset_at)
    if model is None or not model.sunset_ahead or model.sunset_at != wanted:
        return 0
    message = deprecation_message(model)
    told = Notification.objects.filter(
        user_id=OuterRef("user_id"),
        kind=NotificationKind.MODEL_DEPRECATED,
        payload__model_id=str(model.pk),
        payload__sunset_at=_stamp(wanted),
    )
    written = 0
    after = None
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('model_deprecated:' || %s))", [str(model.pk)]
                )
            pairs = ModelUser.objects.filter(model_id=model.pk).exclude(user_id=model.developer.user_id)
            if after is not None:
                pairs = pairs.filter(user_id__gt=after)
            batch = list(
                pairs.annotate(told=Exists(told))
                .order_by("user_id")
                .values_list("user_id", "told")[:NOTICE_BATCH]
            )
            if not batch:
                return written
            after = batch[-1][0]
            untold = [user_id for user_id, was_told in batch if not was_told]
            written += len(notify_many(user_ids=untold, message=message))


def _stamp(moment: datetime) -> str:
    """A sunset as the payload and the task carry it: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat()
