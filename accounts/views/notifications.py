"""/me/notifications/: the signed-in user's inbox, its links, and which kinds they are sent."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import notifications
from accounts.forms_notifications import InboxFilterForm, NotificationPreferencesForm
from accounts.models import Notification, NotificationKind

PAGE_SIZE = 25


def get_notification_for_user(request, notification_id) -> Notification:
    """The signed-in user's own notification; 404 for anyone else's."""
    return get_object_or_404(Notification, pk=notification_id, user=request.user)


def is_local_path(url: str) -> bool:
    """Whether `url` is a path of this site ("/models/echo/"): no scheme, no host (so not "//elsewhere"),
    nothing a browser would read as another site. Links in payloads are followed only then."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


@login_required
def inbox(request):
    filter_form = InboxFilterForm(request.GET or None)
    kind = filter_form.cleaned_data["kind"] if filter_form.is_valid() else None
    paginator = Paginator(notifications.inbox(request.user, kind=kind or None), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "kind": kind,
        "kind_label": NotificationKind(kind).label if kind else None,
        "page_obj": page,
        "unread": getattr(request.user, "unread_notifications", None),
        "badge_cap": notifications.UNREAD_BADGE_CAP,
    }
    return render(request, "accounts/notifications.html", context)


@login_required
def notification_open(request, notification_id):
    """Mark the notification read and go where it points, when that is a page of this site; a link that
    leads elsewhere (which no sender writes) is not followed."""
    notification = get_notification_for_user(request, notification_id)
    notifications.mark_read(user=request.user, notification_ids=[notification.pk])
    if is_local_path(notification.url):
        return redirect(notification.url)
    messages.error(
        request, "That notification's link does not lead to a page of this site, so it was not opened."
    )
    return redirect("me:notifications")


@require_POST
@login_required
def notifications_mark_read(request):
    changed = notifications.mark_read(user=request.user)
    if changed:
        messages.success(request, f"Marked {changed} notification{'s' if changed != 1 else ''} read.")
    else:
        messages.info(request, "Everything was read already.")
    return redirect("me:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    form = NotificationPreferencesForm.for_user(
        request.user, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        notifications.preferences_set(user=request.user, **form.switched_off())
        messages.success(request, "Your notification settings are saved.")
        return redirect("me:notification_settings")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/notification_settings.html", {"form": form}, status=status)
