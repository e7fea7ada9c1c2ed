"""The public catalog as JSON, through the catalog page's own filters and sorts (catalog.filters)."""

from django.db.models import Prefetch, QuerySet
from django.http import QueryDict

from activity.gateway.errors import error
from catalog.filters import AIModelFilter
from catalog.models import AIModel

# A deprecated model's replacement, by its api_name: no query on a page without one.
REPLACEMENT = Prefetch("replacement", queryset=AIModel.objects.only("model_id", "api_name"))


def public_models(*, params: QueryDict) -> QuerySet[AIModel]:
    """Public, served models filtered and ordered as /models/ does; a 400 GatewayError for bad values
    (the page quietly drops them, an API says so)."""
    filterset = AIModelFilter(
        params,
        queryset=AIModel.objects.public().select_related("developer").prefetch_related(REPLACEMENT),
    )
    if not filterset.is_valid():
        field, messages = next(iter(filterset.errors.items()))
        raise error("invalid_request", f"{field}: {' '.join(messages)}")
    return filterset.qs


def public_model(*, api_name: str) -> AIModel | None:
    """The catalog's model of that api_name, or None: what GET /models/<api_name> may show."""
    return (
        AIModel.objects.public()
        .select_related("developer")
        .prefetch_related(REPLACEMENT)
        .filter(api_name=api_name)
        .first()
    )
