"""Media that calls carry: the images and audio a user sent with a call and the ones its answer carried.

The gateway hands them over once the call's user_history row is written (in the same transaction or a
later one):

    keep_media(history_id=entry.pk, user_id=user.pk, items=[
        MediaItem(direction="input", kind="image", mime="image/png", data=upload_bytes),
        MediaItem(direction="output", kind="audio", mime="audio/wav", data=answer_bytes),
    ]) -> list[CallMedia]

Each item's bytes go to the "call_media" storage (settings.STORAGES: files under CALL_MEDIA_ROOT by
default, any Django storage class such as django-storages' S3Storage through CALL_MEDIA_STORAGE_BACKEND)
under calls/<yyyy>/<mm>/<media_id>.<ext>, and one INSERT writes their call_media rows. Nothing serves
that storage directly: the owner reads a file through the history:media view only.

A row lives until its history entry, its user or the row itself is deleted, or until it expires
(expires_at = now + CALL_MEDIA_RETENTION_DAYS; 0 days keeps it until deleted; `manage.py
expire_call_media` deletes expired rows). Whatever deletes a row, the database queues its file
(trigger call_media_queue_deletions) and purge_deleted_media() removes the queued files from storage.
"""

import io
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from activity.gateway.media import extension_for
from activity.models import CallMedia, CallMediaDeletion, MediaDirection, MediaKind

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "call_media"
PURGE_BATCH = 200
EXPIRE_BATCH = 1000


@dataclass(frozen=True)
class MediaItem:
    direction: Literal["input", "output"]
    kind: Literal["image", "audio"]
    mime: str  # checked by the gateway already, e.g. "image/png", "audio/wav"
    data: bytes
    # An image's size when the caller read it already (the gateway has); read from its header otherwise.
    width: int | None = None
    height: int | None = None


def call_media_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def extension(mime: str) -> str:
    return extension_for(mime)


def _dimensions(item: MediaItem) -> tuple[int | None, int | None]:
    """An image's width and height from its header (Pillow reads no pixels for this), for the <img> that
    shows it; None for audio or an image Pillow cannot read."""
    if item.kind != MediaKind.IMAGE:
        return None, None
    if item.width and item.height:
        return item.width, item.height
    try:
        with Image.open(io.BytesIO(item.data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None, None
    return (width, height) if width > 0 and height > 0 else (None, None)


def _check(item: MediaItem) -> None:
    """The table's CHECKs, as a ValueError before any file is written."""
    if item.direction not in MediaDirection.values:
        raise ValueError(f"direction must be one of {MediaDirection.values}, not {item.direction!r}")
    if item.kind not in MediaKind.values:
        raise ValueError(f"kind must be one of {MediaKind.values}, not {item.kind!r}")
    if not item.mime.lower().startswith(f"{item.kind}/"):
        raise ValueError(f"a {item.kind} needs a {item.kind}/* type, not {item.mime!r}")
    if not item.data:
        raise ValueError("an empty file is not kept")


def keep_media(*, history_id: uuid.UUID, user_id: uuid.UUID, items: Sequence[MediaItem]) -> list[CallMedia]:
    """Store each item's bytes through Django's storage and insert its call_media row (one INSERT for all);
    called after the call's user_history row is written (same or later transaction).

    The files are written first: if the INSERT fails, the files written are deleted again and the error
    raised. A transaction around the call that rolls back after this returns leaves its files behind
    without rows; write the history row and call this in one short transaction, last.
    """
    for item in items:
        _check(item)
    if not items:
        return []
    storage = call_media_storage()
    now = timezone.now()
    retention = settings.CALL_MEDIA_RETENTION_DAYS
    expires_at = now + timedelta(days=retention) if retention > 0 else None
    rows: list[CallMedia] = []
    try:
        for position, item in enumerate(items):
            media_id = uuid.uuid4()
            name = f"calls/{now:%Y}/{now:%m}/{media_id}.{extension(item.mime)}"
            width, height = _dimensions(item)
            rows.append(
                CallMedia(
                    media_id=media_id,
                    history_id=history_id,
                    user_id=user_id,
                    direction=item.direction,
                    kind=item.kind,
                    mime=item.mime,
                    path=storage.save(name, ContentFile(item.data)),
                    size_bytes=len(item.data),
                    width=width,
                    height=height,
                    position=position,
                    expires_at=expires_at,
                )
            )
        with transaction.atomic():
            return CallMedia.objects.bulk_create(rows)
    except BaseException:
        for row in rows:
            _delete_file(storage, row.path)
        raise


def media_for_history(history_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[CallMedia]]:
    """The media still kept of each entry (sent first, then the answer's, each in the order given to keep_media),
    in one query; entries without media are absent. Callers have checked that the entries are the user's."""
    found: dict[uuid.UUID, list[CallMedia]] = {}
    ids = list(history_ids)
    if not ids:
        return found
    for media in CallMedia.objects.live().filter(history_id__in=ids).order_by("direction", "position"):
        found.setdefault(media.history_id, []).append(media)
    return found


def _delete_file(storage: Storage, path: str) -> bool:
    """Delete one file; a file already gone is fine. False (and a warning) when the storage fails."""
    try:
        storage.delete(path)
    except FileNotFoundError:
        pass
    except Exception:
        logger.warning("Could not delete the call media file %s", path, exc_info=True)
        return False
    return True


def purge_deleted_media(*, limit: int | None = None) -> int:
    """Delete from storage the files the call_media_queue_deletions trigger queued, and their queue rows;
    returns how many queue rows were settled. Safe to repeat and to run in several processes at once
    (each takes queue rows another has not locked); a file already gone is fine. A file still named by a
    call_media row is never deleted. A file the storage fails to delete stays queued for the next run.
    `limit` bounds the work (the delete view purges a batch after its request's delete; the expire
    command purges everything)."""
    storage = call_media_storage()
    settled = 0
    failed: set[uuid.UUID] = set()
    while limit is None or settled < limit:
        size = PURGE_BATCH if limit is None else min(PURGE_BATCH, limit - settled)
        with transaction.atomic():
            queued = list(
                CallMediaDeletion.objects.select_for_update(skip_locked=True)
                .exclude(pk__in=failed)
                .order_by("queued_at", "pk")
                .values_list("pk", "path")[:size]
            )
            if not queued:
                break
            kept = set(
                CallMedia.objects.filter(path__in=[path for _, path in queued]).values_list("path", flat=True)
            )
            done = []
            for pk, path in queued:
                if path in kept or _delete_file(storage, path):
                    done.append(pk)
                else:
                    failed.add(pk)
            CallMediaDeletion.objects.filter(pk__in=done).delete()
        settled += len(done)
    return settled


def expire_media(*, batch: int = EXPIRE_BATCH) -> int:
    """Delete the call_media rows past their expires_at, `batch` rows per statement (each its own
    transaction, so that no long lock is held); their files are queued by the trigger. Returns how many."""
    expired = 0
    while True:
        with transaction.atomic():
            ids = list(
                CallMedia.objects.filter(expires_at__lte=Now())
                .order_by("expires_at")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return expired
            CallMedia.objects.filter(pk__in=ids).delete()
        expired += len(ids)
