"""Writes of the accounts flow: sign-up, email verification, profile changes, account deletion."""

import logging
import uuid
from collections.abc import Iterable
from functools import partial
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Value, When
from django.http import HttpRequest
from django.urls import reverse

from accounts import tokens
from accounts.forms import ProfileForm
from accounts.mail import mail_send
from accounts.models import User, UserSession, UserStatus
from accounts.services.credits import welcome_grant
from core.constraints import violated_constraint

logger = logging.getLogger(__name__)

RESEND_INTERVAL_SECONDS = 60

# Unique indexes of the users table and the form field each one belongs to. Two sign-ups at once get past
# the form's checks together; the loser learns of it here.
CONSTRAINT_FIELDS = {
    "users_email_ci_unique": ("email", "A user with that email address already exists."),
    "users_username_key": ("username", "A user with that username already exists."),
    "users_username_ci_unique": ("username", "A user with that username already exists."),
}


class AlreadyVerified(Exception):
    """The link is genuine but the address was verified already: each link works once."""


def _absolute_url(path: str, request: HttpRequest | None) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def verification_url(*, user: User, request: HttpRequest | None = None) -> str:
    token = tokens.make_email_verification_token(user)
    return _absolute_url(reverse("accounts:verify_email", args=[token]), request)


def verification_email_send(*, user: User, request: HttpRequest | None = None) -> None:
    """Queue the link once the surrounding transaction commits; a mail failure never undoes a sign-up."""
    mail_send(
        to=user.email,
        template="verify_email",
        context={
            "user": {"username": user.username},
            "verify_url": verification_url(user=user, request=request),
            "expiry_days": tokens.max_age().days,
        },
    )


def _conflict_error(exc: IntegrityError) -> ValidationError | None:
    constraint = violated_constraint(exc)
    if constraint in CONSTRAINT_FIELDS:
        field, message = CONSTRAINT_FIELDS[constraint]
        return ValidationError({field: ValidationError(message, code="unique")})
    return None


def user_signup(*, username: str, email: str, password: str, request: HttpRequest | None = None) -> User:
    """Create a pending account and mail its verification link.

    Raises ValidationError keyed by field when another sign-up took the username or email first.
    """
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                email=email,
                password=password,
                status=UserStatus.PENDING_VERIFICATION,
                email_verified=False,
            )
            verification_email_send(user=user, request=request)
    except IntegrityError as exc:
        error = _conflict_error(exc)
        if error is None:
            raise
        raise error from exc
    return user


def user_for_verification(*, token: str) -> User:
    """The user a confirmation link is for, changing nothing (the page that asks to confirm).

    Raises tokens.ExpiredToken, tokens.InvalidToken, or AlreadyVerified when the address is confirmed.
    """
    claim = tokens.read_email_verification_token(token)
    try:
        user_id = uuid.UUID(claim.user_id)
    except ValueError as exc:
        raise tokens.InvalidToken from exc
    user = User.objects.filter(pk=user_id).first()
    if user is None or user.email.lower() != claim.email:
        raise tokens.InvalidToken
    if user.email_verified:
        raise AlreadyVerified
    return user


def user_verify_email(*, token: str) -> User:
    """Mark the address verified and a pending account active.

    Raises tokens.ExpiredToken, tokens.InvalidToken, or AlreadyVerified when the link was used before.
    """
    user = user_for_verification(token=token)
    with transaction.atomic():
        # One conditional UPDATE: two clicks at once verify once.
        updated = User.objects.filter(pk=user.pk, email_verified=False).update(
            email_verified=True,
            status=Case(
                When(status=UserStatus.PENDING_VERIFICATION, then=Value(UserStatus.ACTIVE)),
                default=F("status"),
            ),
        )
        if updated:
            welcome_grant(user=user)
    if not updated:
        raise AlreadyVerified
    user.refresh_from_db()
    return user


def verification_resend_allowed(*, user: User) -> bool:
    """At most one resend per user per RESEND_INTERVAL_SECONDS, counted in the shared cache."""
    return cache.add(f"accounts:verify-resend:{user.pk}", True, timeout=RESEND_INTERVAL_SECONDS)


def user_verification_resend(*, user: User, request: HttpRequest | None = None) -> bool:
    """Send a fresh link unless one went out within the last minute. Returns whether a mail was sent."""
    if user.email_verified or not verification_resend_allowed(user=user):
        return False
    with transaction.atomic():
        verification_email_send(user=user, request=request)
    return True


def _delete_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("Could not delete the file %s", name, exc_info=True)


def user_profile_update(*, form: ProfileForm) -> User:
    """Save a valid ProfileForm and remove the replaced picture once the change is committed."""
    old_picture = User.objects.filter(pk=form.instance.pk).values_list("profile_picture", flat=True).first()
    with transaction.atomic():
        user = form.save()
    if old_picture and old_picture != user.profile_picture.name:
        transaction.on_commit(partial(_delete_file, old_picture), robust=True)
    return user


def user_delete(*, user: User) -> None:
    """Delete the account with one statement; the database's ON DELETE CASCADE removes every dependent row."""
    picture = user.profile_picture.name
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM "{User._meta.db_table}" WHERE "{User._meta.pk.column}" = %s', [user.pk]
            )
        if picture:
            transaction.on_commit(partial(_delete_file, picture), robust=True)


def user_sessions_end(*, user_ids: Iterable[Any]) -> int:
    """Delete every indexed session of these users through the session store, so its cache and its
    database both lose them (the cached_db engine keeps a session in both). Returns how many. A session
    the index missed still fails its next request: the suspension moved the user's session epoch."""
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    rows = UserSession.objects.filter(user_id__in=list(user_ids))
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    rows.filter(session_key__in=keys).delete()
    return len(keys)
