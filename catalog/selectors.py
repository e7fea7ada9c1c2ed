"""Reads of listings, and who may see a model's page.

Everyone sees a listed model: public, active or deprecated, of an active developer whose account is
active. Anyone else gets a 404, except the owning developer and staff, who see the page with a notice.
"""

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import DeveloperStatus, UserStatus
from catalog.models import AIModel, ModelStatus

LISTED = Q(
    is_public=True,
    status__in=[ModelStatus.ACTIVE, ModelStatus.DEPRECATED],
    developer__status=DeveloperStatus.ACTIVE,
    developer__user__status=UserStatus.ACTIVE,
)


def is_model_owner(user, model: AIModel) -> bool:
    return bool(user.is_authenticated and model.developer.user_id == user.pk)


def get_model_for_viewer(request: HttpRequest, api_name: str) -> AIModel:
    """The model at `api_name` if the visitor may see its page, else 404.

    The model comes with `developer` loaded and `is_listed` set (False: only its owner or staff see it).
    """
    model = get_object_or_404(
        # The developer's account comes along: the page's playground asks whether it is active.
        AIModel.objects.select_related("developer__user").annotate(
            is_listed=ExpressionWrapper(LISTED, output_field=BooleanField())
        ),
        api_name=api_name,
    )
    if not model.is_listed and not (request.user.is_staff or is_model_owner(request.user, model)):
        raise Http404("No model matches the given query.")
    return model


def get_listed_model(api_name: str) -> AIModel:
    """A model whose page everyone may see (the only ones open to reviews and votes), else 404."""
    return get_object_or_404(AIModel.objects.filter(LISTED).select_related("developer"), api_name=api_name)
