"""Signed email-verification links.

A token is a TimestampSigner signature over the user's id and email address. It expires after
EMAIL_VERIFICATION_MAX_AGE, stops matching when the address changes, and the service refuses it once
email_verified is set, so each link works once.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing

SALT = "accounts.email-verification"
DEFAULT_MAX_AGE = timedelta(days=3)


class InvalidToken(Exception):
    """The link was altered, cut short or signed with another key."""


class ExpiredToken(InvalidToken):
    """The link is genuine but older than the allowed age."""


@dataclass(frozen=True)
class VerificationClaim:
    user_id: str
    email: str


def max_age() -> timedelta:
    return getattr(settings, "EMAIL_VERIFICATION_MAX_AGE", DEFAULT_MAX_AGE)


def make_email_verification_token(user) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"u": str(user.pk), "e": user.email.lower()}, compress=True
    )


def read_email_verification_token(token: str) -> VerificationClaim:
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age())
    except signing.SignatureExpired as exc:
        raise ExpiredToken from exc
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), str) or "e" not in payload:
        raise InvalidToken
    return VerificationClaim(user_id=payload["u"], email=str(payload["e"]))


# --- Change of email address ------------------------------------------------------------------------------
# A confirmation link for users.pending_email: signed over the user, the pending address and the time it was
# asked for. It stops matching once the change is confirmed, cancelled or replaced by a newer request, so
# each link works once, and it expires after EMAIL_CHANGE_MAX_AGE.

EMAIL_CHANGE_SALT = "accounts.email-change"
DEFAULT_EMAIL_CHANGE_MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class EmailChangeClaim:
    user_id: str
    email: str
    requested_at: str


def email_change_max_age() -> timedelta:
    return getattr(settings, "EMAIL_CHANGE_MAX_AGE", DEFAULT_EMAIL_CHANGE_MAX_AGE)


def make_email_change_token(user) -> str:
    return signing.TimestampSigner(salt=EMAIL_CHANGE_SALT).sign_object(
        {
            "u": str(user.pk),
            "e": user.pending_email.lower(),
            "t": user.pending_email_requested_at.isoformat(),
        },
        compress=True,
    )


def read_email_change_token(token: str) -> EmailChangeClaim:
    try:
        payload = signing.TimestampSigner(salt=EMAIL_CHANGE_SALT).unsign_object(
            token, max_age=email_change_max_age()
        )
    except signing.SignatureExpired as exc:
        raise ExpiredToken from exc
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken from exc
    if not isinstance(payload, dict) or not all(isinstance(payload.get(key), str) for key in "uet"):
        raise InvalidToken
    return EmailChangeClaim(user_id=payload["u"], email=payload["e"], requested_at=payload["t"])
