"""Reads of likes and collections: a fixed number of queries per page, whatever the number of rows."""

from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from accounts.models import User
from catalog.cards import CARD_FIELDS
from catalog.models import AIModel
from favourites.models import Collection, CollectionModel, ModelLike

CARD_MODEL_FIELDS = tuple(f"model__{name}" for name in CARD_FIELDS)


def user_likes(*, user: User | AnonymousUser, model: AIModel) -> bool:
    if not user.is_authenticated:
        return False
    return ModelLike.objects.filter(user=user, model=model).exists()


def liked_models(*, user: User) -> QuerySet[AIModel]:
    """The catalog models `user` likes, the latest like first (a model that left the catalog drops out
    until it is back)."""
    return (
        AIModel.objects.public()
        .filter(likes__user=user)
        .only(*CARD_FIELDS)
        .select_related("developer")
        .order_by("-likes__created_at", "model_id")
    )


def _with_model_counts(collections: QuerySet[Collection]) -> QuerySet[Collection]:
    """Each collection with `model_count`: the models in it that the catalog lists."""
    return collections.annotate(
        model_count=Count("items", filter=Q(items__model__is_served=True, items__model__is_public=True))
    )


def public_collections(*, sort: str) -> QuerySet[Collection]:
    collections = _with_model_counts(Collection.objects.public()).select_related("user")
    if sort == "models":
        return collections.order_by(F("model_count").desc(), "-created_at", "collection_id")
    return collections.order_by("-created_at", "collection_id")


def user_collections(*, user: User) -> QuerySet[Collection]:
    return _with_model_counts(Collection.objects.for_user(user)).order_by("-updated_at", "collection_id")


def collections_holding(*, user: User, model: AIModel) -> set:
    """Ids of the user's collections that hold `model`."""
    return set(
        CollectionModel.objects.filter(collection__user=user, model=model).values_list(
            "collection_id", flat=True
        )
    )


def get_collection_for_viewer(user: User | AnonymousUser, collection_id: UUID) -> Collection:
    """A public collection, or the signed-in user's own; 404 for anyone else, so private ones leak nothing."""
    collection = Collection.objects.select_related("user").filter(pk=collection_id).first()
    if collection is None or not (collection.is_public or collection.user_id == user.pk):
        raise Http404("No collection matches the given query.")
    return collection


def get_collection_for_owner(user: User | AnonymousUser, collection_id: UUID) -> Collection:
    """The signed-in user's own collection; 404 for anyone else."""
    collection = None
    if isinstance(user, User):
        collection = Collection.objects.filter(pk=collection_id, user=user).first()
        if collection is not None:
            collection.user = user
    if collection is None:
        raise Http404("No collection matches the given query.")
    return collection


def collection_items(*, collection: Collection, owner_view: bool) -> list[CollectionModel]:
    """The collection's models in order, each with its card's fields and developer. Visitors see the
    models the catalog lists; the owner also sees the ones that left it (to remove them)."""
    items = CollectionModel.objects.filter(collection=collection).order_by("position", "item_id")
    if not owner_view:
        items = items.filter(model__is_served=True, model__is_public=True)
    return list(
        items.select_related("model", "model__developer").only(
            "item_id",
            "collection_id",
            "note",
            "position",
            "model__is_served",
            "model__is_public",
            "model__developer__username",
            *CARD_MODEL_FIELDS,
        )
    )


def collections_preview(*, collections: list[Collection], per_collection: int = 4) -> None:
    """Set `preview` on each collection (with model_count): its first models' names, in one query for
    the page, and `more`, how many others it holds."""
    if not collections:
        return
    by_id = {collection.pk: collection for collection in collections}
    for collection in collections:
        collection.preview = []
    items = (
        CollectionModel.objects.filter(
            collection_id__in=list(by_id), model__is_served=True, model__is_public=True
        )
        .annotate(rank=Window(RowNumber(), partition_by=F("collection_id"), order_by=F("position").asc()))
        .filter(rank__lte=per_collection)
        .order_by("collection_id", "position")
        .values_list("collection_id", "model__display_name", "model__api_name")
    )
    for collection_id, name, api_name in items:
        by_id[collection_id].preview.append({"name": name, "api_name": api_name})
    for collection in collections:
        collection.more = max(getattr(collection, "model_count", 0) - len(collection.preview), 0)
