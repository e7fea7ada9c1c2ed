"""Throttles of the accounts flow: django-axes' account key for sign-in lockout, and the counters that
limit the mail a client or an address can cause (sign-ups, password resets, verification resends).

The counters live in the default cache: Redis when CACHE_URL names it, so every host counts in one place;
per-process memory otherwise (one machine, `make run`). Each is one atomic cache.add then cache.incr, so
two hosts taking the last allowance at once cannot both pass.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.models import User
from core.addresses import client_network

logger = logging.getLogger(__name__)

SIGNUP_REFUSED = "Too many accounts were created from your network in the last hour. Please try again later."
RESET_REFUSED_FOR_CLIENT = (
    "Too many password resets were asked for from your network in the last hour. Please try again later."
)
RESET_REFUSED_FOR_EMAIL = (
    "Reset links for this address were asked for too many times in the last hour. Check your inbox "
    "(and its spam folder) for the links already sent, or try again later."
)
EMAIL_CHANGE_REFUSED_FOR_USER = (
    "You asked to change your email address too many times in the last hour. Check the inbox of the new "
    "address (and its spam folder) for the link already sent, or try again later."
)
EMAIL_CHANGE_REFUSED_FOR_CLIENT = "Too many email address changes were asked for from your network in the last hour. Please try again later."
RESEND_REFUSED_FOR_CLIENT = (
    "Too many confirmation links were asked for from your network in the last hour. Please try again later."
)


def axes_username(request, credentials: dict | None) -> str:
    """The account a sign-in attempt aims at, so every spelling of it shares one failure counter.

    Sign-in accepts the username or the email address in any letter case; without this, "Alice",
    "ALICE" and "alice@example.com" would each get their own five attempts. Set as
    AXES_USERNAME_CALLABLE = "accounts.throttling.axes_username".
    """
    login = ""
    if credentials:
        login = credentials.get("username") or ""
    if not login and request is not None:
        login = request.POST.get("username", "")
    login = login.strip()
    if not login:
        return ""
    username = User.objects.by_login(login).values_list("username", flat=True).first()
    return (username or login).lower()


def _count(key: str, period: int, *, retry: bool = True) -> int:
    """Add one to the counter at key, made with a lifetime of `period` seconds by its first hit."""
    if cache.add(key, 1, timeout=period):
        return 1
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between the two calls: this hit opens the next one
        if not retry:  # a cache that neither adds nor finds the key is not answering
            raise
        return _count(key, period, retry=False)
    if count == 1:
        # Redis' INCR made the key again after it expired between Django's EXISTS and INCR, without a
        # lifetime: give it one, or the counter would never end.
        cache.touch(key, period)
    return count


def allow(scope: str, key: str | None, *, limit: int) -> bool:
    """Whether one more action of `scope` by `key` (an address, an email, a user) fits in `limit` per
    THROTTLE_WINDOW_MINUTES. A limit of 0 turns the throttle off. While the cache is away, actions are let
    through (and logged): a mail too many is better than a site that refuses every sign-up."""
    if limit <= 0:
        return True
    digest = hashlib.sha256((key or "unknown").lower().encode()).hexdigest()[:32]
    try:
        count = _count(f"throttle:{scope}:{digest}", settings.THROTTLE_WINDOW_MINUTES * 60)
    except Exception:
        logger.warning(
            "The %s throttle could not reach the cache; the action is let through", scope, exc_info=True
        )
        return True
    return count <= limit


def signup_refusal(request: HttpRequest) -> str | None:
    """Why a sign-up from this client is refused, or None. Counted once per valid form."""
    if allow("signup-client", client_network(request), limit=settings.THROTTLE_SIGNUPS_PER_CLIENT):
        return None
    return SIGNUP_REFUSED


def password_reset_refusal(request: HttpRequest, email: str) -> str | None:
    """Why a reset mail to `email` from this client is refused, or None.

    Both counters count every request, whether an account has the address or not, so a refusal says
    nothing about which addresses have accounts."""
    if not allow("reset-client", client_network(request), limit=settings.THROTTLE_RESETS_PER_CLIENT):
        return RESET_REFUSED_FOR_CLIENT
    if not allow("reset-email", email.strip(), limit=settings.THROTTLE_RESETS_PER_EMAIL):
        return RESET_REFUSED_FOR_EMAIL
    return None


def verification_resend_refusal(request: HttpRequest) -> str | None:
    """Why a confirmation link asked for from this client is refused, or None (the once-a-minute limit
    per user is accounts.services.users.verification_resend_allowed)."""
    if allow("resend-client", client_network(request), limit=settings.THROTTLE_RESENDS_PER_CLIENT):
        return None
    return RESEND_REFUSED_FOR_CLIENT


def email_change_refusal(request: HttpRequest, user) -> str | None:
    """Why a change of address (two mails: the link to the new address, a notice to the old) is refused,
    or None: at most THROTTLE_EMAIL_CHANGES_PER_USER per user and THROTTLE_RESENDS_PER_CLIENT per client
    address in each window. Counted once per valid form (the password was right)."""
    if not allow("email-change-user", str(user.pk), limit=settings.THROTTLE_EMAIL_CHANGES_PER_USER):
        return EMAIL_CHANGE_REFUSED_FOR_USER
    if not allow("email-change-client", client_network(request), limit=settings.THROTTLE_RESENDS_PER_CLIENT):
        return EMAIL_CHANGE_REFUSED_FOR_CLIENT
    return None
