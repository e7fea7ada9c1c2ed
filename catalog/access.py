"""Who may reach the developer dashboard, and the one way every dashboard view fetches what it owns.

Only an active developer whose own account is active reaches a dashboard page or action. Everyone else
(another developer, a plain user, an anonymous visitor) gets 404 for every listing URL, so a URL never
tells them whether a model exists. The overview page alone explains to a signed-in user why they cannot
use the dashboard, through `developer_block_reason`.
"""

from django.http import Http404, HttpRequest

from accounts.models import Developer, DeveloperStatus, UserStatus
from catalog.models import AIModel


def get_developer_for_user(request: HttpRequest) -> Developer | None:
    """The signed-in user's developer profile, whatever its status, or None."""
    if not request.user.is_authenticated:
        return None
    try:
        # Through the relation, so the answer (a profile or none) is cached on the user for the layout.
        return request.user.developer
    except Developer.DoesNotExist:
        return None


def developer_block_reason(developer: Developer | None, user) -> str | None:
    """None when `developer` may use the dashboard; otherwise a short code for why not."""
    if developer is None:
        return "no_profile"
    if user.status != UserStatus.ACTIVE:
        return "account_not_active"
    if developer.status != DeveloperStatus.ACTIVE:
        return developer.status
    return None


def get_active_developer(request: HttpRequest) -> Developer:
    """The signed-in user's developer profile when it may use the dashboard; 404 for anyone else."""
    developer = get_developer_for_user(request)
    if developer_block_reason(developer, request.user) is not None:
        raise Http404("No such page.")
    return developer


def own_models(developer: Developer) -> list[AIModel]:
    """Every model of `developer`, by display name: the choices and rows of the dashboard pages."""
    return list(AIModel.objects.for_developer(developer).order_by("display_name", "api_name"))


def get_model_for_developer(request: HttpRequest, api_name: str) -> AIModel:
    """One of the active developer's own models by api_name; 404 for every other model and person."""
    developer = get_active_developer(request)
    model = AIModel.objects.for_developer(developer).filter(api_name=api_name).first()
    if model is None:
        raise Http404("No such model.")
    model.developer = developer
    return model
