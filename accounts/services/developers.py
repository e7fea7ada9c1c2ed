"""Becoming a developer: the application a verified user files, which staff approve or turn down in the
admin (the developer is told the decision: accounts.notifications)."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from accounts.mail import site_url
from accounts.models import Developer, DeveloperStatus, NotificationKind, User
from accounts.notifications import Message, notify


class DeveloperApplicationError(Exception):
    """The user may not apply (not verified yet, or already has a developer profile)."""


@transaction.atomic
def developer_apply(
    *,
    user: User,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    company_name: str = "",
    website_url: str = "",
    github_profile: str = "",
    expertise_areas: list[str] | None = None,
    years_experience: int = 0,
) -> Developer:
    """File a developer application for `user`. It starts pending_approval with the default quota.

    Raises DeveloperApplicationError when the user may not apply, ValidationError for values the
    database would refuse (taken username or email included), and lets an IntegrityError from a
    concurrent application through for the caller to report.
    """
    if not user.is_verified:
        raise DeveloperApplicationError("Verify your email address before applying.")
    if Developer.objects.filter(user=user).exists():
        raise DeveloperApplicationError("You have already applied.")
    developer = Developer(
        user=user,
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        company_name=company_name,
        website_url=website_url,
        github_profile=github_profile,
        expertise_areas=list(expertise_areas or []),
        years_experience=years_experience,
        api_quota=settings.DEFAULT_DEVELOPER_QUOTA,
        status=DeveloperStatus.PENDING_APPROVAL,
    )
    developer.full_clean()
    developer.save()
    return developer


@transaction.atomic
def developers_approve(*, developers: QuerySet[Developer]) -> int:
    """Make the developers active (staff's decision on an application, or a reactivation) and tell each one
    that changed, in their inbox and by mail to the developer's address (accounts.notifications, as their
    settings allow). Rows are locked first, so two staff approving at once tell each developer once.
    Returns how many changed."""
    approved = _lock(developers.exclude(status=DeveloperStatus.ACTIVE))
    Developer.objects.filter(pk__in=[row["pk"] for row in approved]).update(status=DeveloperStatus.ACTIVE)
    for row in approved:
        _tell(
            row,
            title=f"Your developer account {row['username']} is approved",
            url=reverse("dashboard:overview"),
            template="developer_approved",
            context={
                "dashboard_url": site_url("dashboard:overview"),
                "new_model_url": site_url("dashboard:model_create"),
            },
        )
    return len(approved)


@transaction.atomic
def developers_reject(*, developers: QuerySet[Developer]) -> int:
    """Turn down the applications still waiting among `developers`: they become inactive (no dashboard,
    nothing served; the apply page shows it) and each applicant is told. Developers already decided are left
    as they are: suspending an active one is another action. Returns how many were turned down."""
    rejected = _lock(developers.filter(status=DeveloperStatus.PENDING_APPROVAL))
    Developer.objects.filter(pk__in=[row["pk"] for row in rejected]).update(status=DeveloperStatus.INACTIVE)
    for row in rejected:
        _tell(
            row,
            title="Your developer application was not approved",
            url=reverse("apply:apply"),
            template="developer_rejected",
            context={"apply_url": site_url("apply:apply")},
        )
    return len(rejected)


def _lock(developers: QuerySet[Developer]) -> list[dict[str, Any]]:
    """The developers' rows, locked, with what telling them needs."""
    rows = developers.select_for_update(of=("self",)).values(
        "pk", "user_id", "username", "first_name", "email"
    )
    return [dict(row) for row in rows]


def _tell(row: dict[str, Any], *, title: str, url: str, template: str, context: dict[str, Any]) -> None:
    notify(
        user_id=row["user_id"],
        message=Message(
            kind=NotificationKind.DEVELOPER_DECIDED,
            title=title,
            url=url,
            payload={"developer": row["username"]},
            mail_template=template,
            mail_context={
                "name": row["first_name"] or row["username"],
                "username": row["username"],
                **context,
            },
        ),
        mail_to=row["email"],
    )
