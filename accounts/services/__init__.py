"""Writes of the accounts app, by area: users (sign-up, verification, profile, deletion), personal API
keys, and developer applications. Views call them as `services.<entity>_<action>`."""

from accounts.services.api_keys import (
    MAX_ACTIVE_KEYS,
    user_api_key_create,
    user_api_key_limits_update,
    user_api_key_revoke,
)
from accounts.services.credits import MANUAL_KINDS, credits_add, welcome_grant
from accounts.services.developers import (
    DeveloperApplicationError,
    developer_apply,
    developers_approve,
    developers_reject,
)
from accounts.services.users import (
    AlreadyVerified,
    user_delete,
    user_for_verification,
    user_profile_update,
    user_sessions_end,
    user_signup,
    user_verification_resend,
    user_verify_email,
    verification_email_send,
    verification_resend_allowed,
    verification_url,
)

__all__ = [
    "MANUAL_KINDS",
    "MAX_ACTIVE_KEYS",
    "AlreadyVerified",
    "DeveloperApplicationError",
    "credits_add",
    "developer_apply",
    "developers_approve",
    "developers_reject",
    "user_api_key_create",
    "user_api_key_limits_update",
    "user_api_key_revoke",
    "user_delete",
    "user_for_verification",
    "user_profile_update",
    "user_sessions_end",
    "user_signup",
    "user_verification_resend",
    "user_verify_email",
    "verification_email_send",
    "verification_resend_allowed",
    "verification_url",
    "welcome_grant",
]
