"""A user changes their email address: asked for with their password, made only when the link mailed to the
new address is followed.

- The request keeps the new address in users.pending_email (with its time) and mails a confirmation link
  to it; the old address is told that a change was asked for, the new one shown masked.
- The link (accounts.tokens.make_email_change_token) names the pending address and its time, so it works
  once: confirming, cancelling or asking again makes every earlier link stale. It expires after
  EMAIL_CHANGE_MAX_AGE.
- At confirmation the address must still be free (case-insensitive): another account may have taken it
  since. The users_email_ci_unique index decides a race between two confirmations.
- A confirmed address is a verified one: the link proves it, so email_verified is set (and an account
  still waiting for its first verification becomes active, with its welcome credits).
"""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts import tokens
from accounts.mail import mail_send, site_url
from accounts.models import User, UserStatus
from accounts.services.credits import welcome_grant
from core.constraints import violated_constraint

TAKEN_MESSAGE = "A user with that email address already exists."


class EmailChangeNotPending(Exception):
    """The link is genuine but its change was confirmed, cancelled or replaced by a newer one."""


class EmailTaken(Exception):
    """Another account has had the address since the change was asked for."""


def mask_email(address: str) -> str:
    """jane.doe@example.com → ja…@e…e.com: enough for its owner to know it, too little to write to it."""
    local, _, domain = address.partition("@")
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""
    shown_local = local[:2] if len(local) > 3 else local[:1]
    shown_name = f"{name[0]}…{name[-1]}" if len(name) > 2 else f"{name[:1]}…"
    return f"{shown_local}…@{shown_name}{dot}{tld}"


def address_taken(*, email: str, user: User) -> bool:
    return User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()


def _absolute_url(path: str, request: HttpRequest | None) -> str:
    return request.build_absolute_uri(path) if request is not None else site_url(path)


def email_change_url(*, user: User, request: HttpRequest | None = None) -> str:
    token = tokens.make_email_change_token(user)
    return _absolute_url(reverse("accounts:email_change_confirm", args=[token]), request)


def email_change_request(*, user: User, new_email: str, request: HttpRequest | None = None) -> User:
    """Keep `new_email` as the user's pending address and mail its confirmation link to it, and a notice
    to the current address. Replaces a change already pending (its link stops working).

    Raises ValidationError when the address is the user's own or another account's."""
    new_email = User.objects.normalize_email(new_email.strip())
    if new_email.lower() == user.email.lower():
        raise ValidationError({"email": ValidationError("That is already your address.", code="same")})
    if address_taken(email=new_email, user=user):
        raise ValidationError({"email": ValidationError(TAKEN_MESSAGE, code="unique")})
    now = timezone.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(pending_email=new_email, pending_email_requested_at=now)
        user.pending_email, user.pending_email_requested_at = new_email, now
        hours = int(tokens.email_change_max_age().total_seconds() // 3600)
        mail_send(
            to=new_email,
            template="email_change_confirm",
            context={
                "user": {"username": user.username},
                "confirm_url": email_change_url(user=user, request=request),
                "expiry_hours": hours,
            },
        )
        mail_send(
            to=user.email,
            template="email_change_notice",
            context={
                "user": {"username": user.username},
                "state": "requested",
                "masked_email": mask_email(new_email),
                "profile_url": _absolute_url(reverse("me:profile"), request),
                "password_url": _absolute_url(reverse("accounts:password_change"), request),
            },
        )
    return user


def email_change_cancel(*, user: User) -> bool:
    """Forget the pending change (its link stops working). Returns whether one was pending."""
    cancelled = User.objects.filter(pk=user.pk, pending_email__isnull=False).update(
        pending_email=None, pending_email_requested_at=None
    )
    user.pending_email = user.pending_email_requested_at = None
    return bool(cancelled)


def _claimed_user(claim: tokens.EmailChangeClaim, *, lock: bool) -> User:
    try:
        user_id = uuid.UUID(claim.user_id)
        requested_at = datetime.fromisoformat(claim.requested_at)
    except ValueError as exc:
        raise tokens.InvalidToken from exc
    users = User.objects.select_for_update() if lock else User.objects
    user = users.filter(pk=user_id).first()
    if user is None:
        raise tokens.InvalidToken
    if (
        user.pending_email is None
        or user.pending_email.lower() != claim.email
        or user.pending_email_requested_at != requested_at
    ):
        raise EmailChangeNotPending
    return user


def email_change_for_token(*, token: str) -> User:
    """The user whose pending change the link confirms, changing nothing (the page that asks to confirm).

    Raises tokens.ExpiredToken, tokens.InvalidToken, EmailChangeNotPending or EmailTaken."""
    user = _claimed_user(tokens.read_email_change_token(token), lock=False)
    assert user.pending_email is not None
    if address_taken(email=user.pending_email, user=user):
        raise EmailTaken
    return user


def email_change_confirm(*, token: str, request: HttpRequest | None = None) -> User:
    """Make the pending address the user's, verified; tell the old address. Returns the user.

    Raises tokens.ExpiredToken, tokens.InvalidToken, EmailChangeNotPending (the link was used, cancelled
    or replaced) or EmailTaken (another account has the address now; the change stays pending)."""
    claim = tokens.read_email_change_token(token)
    try:
        with transaction.atomic():
            # The user's row locked: two clicks at once confirm once, the second finds nothing pending.
            user = _claimed_user(claim, lock=True)
            old_email, new_email = user.email, user.pending_email
            assert new_email is not None
            if address_taken(email=new_email, user=user):
                raise EmailTaken
            was_verified = user.email_verified
            user.email, user.email_verified = new_email, True
            user.pending_email = user.pending_email_requested_at = None
            if user.status == UserStatus.PENDING_VERIFICATION:
                user.status = UserStatus.ACTIVE
            user.save(
                update_fields=[
                    "email",
                    "email_verified",
                    "status",
                    "pending_email",
                    "pending_email_requested_at",
                ]
            )
            if not was_verified:
                welcome_grant(user=user)
            mail_send(
                to=old_email,
                template="email_change_notice",
                context={
                    "user": {"username": user.username},
                    "state": "changed",
                    "masked_email": mask_email(new_email),
                    "profile_url": _absolute_url(reverse("me:profile"), request),
                    "password_url": _absolute_url(reverse("accounts:password_change"), request),
                },
            )
    except IntegrityError as exc:
        # Another account confirmed or signed up with the address between the check and the update.
        if violated_constraint(exc) == "users_email_ci_unique":
            raise EmailTaken from exc
        raise
    return user
