"""The images and audio kept with a user's history entries (activity.media), served to their owner only."""

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from activity.media import call_media_storage
from activity.models import CallMedia, UserHistory

# The file is shown inside the history page (<img>, <audio>) or opened alone; opened alone it may not run
# anything, whatever its bytes claim to be.
MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
    "Cache-Control": "private, max-age=3600",
}


def get_media_for_user(request: HttpRequest, history_id: uuid.UUID, media_id: uuid.UUID) -> CallMedia | None:
    """The signed-in user's media of their entry, or None when it is no longer kept (expired, or deleted
    and purged) while the entry is still theirs; 404 for anything else, so that nobody learns whether
    another user's entry or media exists."""
    media = CallMedia.objects.filter(user=request.user, history_id=history_id, pk=media_id).first()
    if media is not None and (media.expires_at is None or media.expires_at > timezone.now()):
        return media
    if UserHistory.objects.for_user(request.user).filter(pk=history_id).exists():
        return None
    raise Http404("No such media.")


def _gone(request: HttpRequest, history_id: uuid.UUID) -> HttpResponse:
    context = {"history_id": history_id, "retention_days": settings.CALL_MEDIA_RETENTION_DAYS}
    return render(request, "activity/media_gone.html", context, status=404)


@login_required
def history_media(
    request: HttpRequest, history_id: uuid.UUID, media_id: uuid.UUID
) -> HttpResponse | FileResponse:
    media = get_media_for_user(request, history_id, media_id)
    if media is None:
        return _gone(request, history_id)
    try:
        file = call_media_storage().open(media.path, "rb")
    except FileNotFoundError:
        return _gone(request, history_id)
    response = FileResponse(file, content_type=media.mime, filename=media.filename)
    for header, value in MEDIA_HEADERS.items():
        response[header] = value
    return response
