"""Becoming a developer: the application a verified user files, which staff approve in the admin (the
developer is mailed the decision)."""

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from accounts.mail import mail_send, site_url
from accounts.models import Developer, DeveloperStatus, User


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
    """Make the developers active (staff's decision on an application, or a reactivation) and mail each one
    that changed. Rows are locked first, so two staff approving at once mail each developer once. Returns
    how many changed."""
    approved = list(
        developers.exclude(status=DeveloperStatus.ACTIVE)
        .select_for_update(of=("self",))
        .values("pk", "username", "first_name", "email")
    )
    Developer.objects.filter(pk__in=[row["pk"] for row in approved]).update(status=DeveloperStatus.ACTIVE)
    for row in approved:
        mail_send(
            to=row["email"],
            template="developer_approved",
            context={
                "name": row["first_name"] or row["username"],
                "username": row["username"],
                "dashboard_url": site_url("dashboard:overview"),
                "new_model_url": site_url("dashboard:model_create"),
            },
        )
    return len(approved)
