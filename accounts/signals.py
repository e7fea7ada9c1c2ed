"""The index of a user's sessions (accounts.models.UserSession), kept as they sign in and out, so that a
suspension can delete every session of the account (accounts.services.users.user_sessions_end)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import User, UserSession


@receiver(user_logged_in, dispatch_uid="accounts.user_session_index")
def index_session(sender, request, user: User, **kwargs) -> None:
    session_index(request, user)


def session_index(request, user: User) -> None:
    """Note the request's session as the user's; also called where a session's key changes without a
    sign-in (a password change, accounts.views.auth.PasswordChangeView)."""
    key = request.session.session_key
    if key is None:  # a session engine that keys sessions only when they are saved
        request.session.save()
        key = request.session.session_key
    # Rows of sessions that ended without a sign-out (expired) go when their user next signs in.
    UserSession.objects.filter(
        user=user, created_at__lt=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    ).delete()
    UserSession.objects.update_or_create(session_key=key, defaults={"user": user})


@receiver(user_logged_out, dispatch_uid="accounts.user_session_index")
def unindex_session(sender, request, user: User | None, **kwargs) -> None:
    if request is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
