"""Reads of listings, and who may see a model's page.

Everyone sees a listed model (AIModel.objects.listed(), AIModel.is_listed: the rule lives in
catalog/models.py). Anyone else gets a 404, except the owning developer and staff, who see the page with a
notice.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import Developer, User
from catalog.models import AIModel
from catalog.search import upper_text


def is_model_owner(user: User | AnonymousUser, model: AIModel) -> bool:
    return bool(user.is_authenticated and model.developer.user_id == user.pk)


def get_model_for_viewer(request: HttpRequest, api_name: str) -> AIModel:
    """The model at `api_name` if the visitor may see its page, else 404.

    The model comes with its developer and the developer's account, so `is_listed` (False: only its owner
    or staff see it) and the playground's `is_in_service` need no query, and with the model that replaces
    it, for the deprecation notice.
    """
    model = get_object_or_404(
        AIModel.objects.select_related("developer__user", "replacement"), api_name=api_name
    )
    if not model.is_listed and not (request.user.is_staff or is_model_owner(request.user, model)):
        raise Http404("No model matches the given query.")
    return model


def get_listed_model(api_name: str) -> AIModel:
    """A model whose page everyone may see (the only ones open to reviews and votes), else 404; with its
    developer and the developer's account, for `is_listed` without a query."""
    return get_object_or_404(AIModel.objects.listed().select_related("developer__user"), api_name=api_name)


def top_rated_models(*, min_ratings: int, limit: int) -> QuerySet[AIModel]:
    """Catalog models with at least `min_ratings` ratings, best first."""
    return (
        AIModel.objects.public()
        .select_related("developer")
        .filter(rating_count__gte=min_ratings)
        .order_by("-average_rating", "-rating_count", "model_id")[:limit]
    )


def newest_models(*, limit: int, exclude: Iterable[AIModel] = ()) -> QuerySet[AIModel]:
    """The newest catalog models, leaving out `exclude` (models a page shows already)."""
    return (
        AIModel.objects.public()
        .select_related("developer")
        .exclude(pk__in=[model.pk for model in exclude])
        .order_by("-created_at", "model_id")[:limit]
    )


def developer_catalog_models(*, developer: Developer) -> QuerySet[AIModel]:
    """A developer's models in the catalog, most used first."""
    return (
        AIModel.objects.public()
        .filter(developer=developer)
        .select_related("developer")
        .order_by("-total_requests", "display_name", "model_id")
    )


def catalog_totals(models: QuerySet[AIModel]) -> dict:
    """Count, requests, ratings and the average rating over `models`, in one aggregate (the average
    weighted by each model's ratings; None without any)."""
    totals = models.order_by().aggregate(
        count=Count("pk"),
        requests=Coalesce(Sum("total_requests"), 0),
        ratings=Coalesce(Sum("rating_count"), 0),
        rating_sum=Coalesce(Sum("rating_sum"), 0),
    )
    totals["average_rating"] = totals["rating_sum"] / totals["ratings"] if totals["ratings"] else None
    return totals


SUGGEST_LIMIT = 8
# From this many characters on, a suggestion may contain the text anywhere (the trigram indexes of
# migration 0010 answer LIKE '%…%'); shorter text is matched at the start of names (the prefix indexes of
# migration 0003), which a trigram index cannot do with fewer than three letters.
SUGGEST_CONTAINS_MIN = 3


def suggest_models(text: str, *, limit: int = SUGGEST_LIMIT) -> list[AIModel]:
    """Catalog models whose name or api_name starts with or contains `text`, names that start with it
    first, then the most used. One query, answered from the name indexes (EXPLAIN in test_suggest)."""
    text = text.strip()
    if not text:
        return []
    models = AIModel.objects.public().alias(
        name_upper=upper_text("display_name"), api_upper=upper_text("api_name")
    )
    pattern = text.upper()
    if len(text) >= SUGGEST_CONTAINS_MIN:
        matching = models.filter(Q(name_upper__contains=pattern) | Q(api_upper__contains=pattern))
    else:
        matching = models.filter(Q(name_upper__startswith=pattern) | Q(api_upper__startswith=pattern))
    starts = Case(When(name_upper__startswith=pattern, then=Value(0)), default=Value(1))
    return list(
        matching.select_related("developer")
        .only("model_id", "api_name", "display_name", "category", "developer__username")
        .annotate(starts=starts)
        .order_by("starts", "-total_requests", "display_name", "model_id")[:limit]
    )


def suggest_developers(text: str, *, limit: int = SUGGEST_LIMIT) -> list[Developer]:
    """Active developers whose username starts with or contains `text` (the trigram index of 0010)."""
    text = text.strip()
    if not text:
        return []
    developers = Developer.objects.active().alias(username_upper=upper_text("username"))
    pattern = text.upper()
    lookup = "contains" if len(text) >= SUGGEST_CONTAINS_MIN else "startswith"
    starts = Case(When(username_upper__startswith=pattern, then=Value(0)), default=Value(1))
    return list(
        developers.filter(**{f"username_upper__{lookup}": pattern})
        .only("developer_id", "username", "company_name")
        .annotate(starts=starts)
        .order_by("starts", "username")[:limit]
    )
