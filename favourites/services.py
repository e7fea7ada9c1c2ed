"""Writes on likes and collections.

The database holds the rules that must survive concurrent writers (one like per user and model, a model
once per collection, one position per item, the lengths); these functions check first for a friendly
message and turn a violation that slipped past the check into a FavouritesError. models.like_count is kept
by a trigger, never from here.

Who may do what: liking is public (a like counts on the model for everyone), so like reviews and helpful
votes it takes a verified account; a user still pending verification may keep private collections, and
publishes them once verified. Owners do not like their own models.
"""

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Now

from accounts.models import User
from catalog.models import AIModel
from core.constraints import violated_constraint
from favourites.models import Collection, CollectionModel, ModelLike

MAX_COLLECTION_MODELS = 100
ALREADY_IN_COLLECTION = "This model is already in the collection."
IN_COLLECTION_CONSTRAINT = "collection_models_collection_model_unique"
VERIFY_TO_LIKE = "Verify your email address to like models: follow the link in the mail we sent you."
VERIFY_TO_PUBLISH = (
    "Verify your email address to make a collection public; you can keep it private until then."
)
FULL_COLLECTION = f"A collection holds at most {MAX_COLLECTION_MODELS} models."


class FavouritesError(Exception):
    """A like or collection action the rules do not allow; str(error) is meant for the user."""


def like_refusal(*, user: User | AnonymousUser, model: AIModel) -> str | None:
    """Why `user` may not like `model`, or None when they may. Only listed models take likes
    (AIModel.is_listed: no query when the developer and the account came with the model)."""
    if not model.is_listed:
        return "This model is not open to likes."
    if not user.is_authenticated:
        return "Sign in to like models."
    if not user.is_verified:
        return VERIFY_TO_LIKE
    if model.developer.user_id == user.pk:
        return "You cannot like your own model."
    return None


def like_set(*, user: User | AnonymousUser, model: AIModel, liked: bool) -> bool:
    """Make `user` like `model` or not. Setting a state, rather than toggling it, makes a repeated
    submission (a double click, a second tab) harmless. Returns whether the user now likes the model."""
    refusal = like_refusal(user=user, model=model)
    if refusal:
        raise FavouritesError(refusal)
    assert user.is_authenticated  # like_refusal turned anonymous visitors away
    if not liked:
        ModelLike.objects.filter(user=user, model=model).delete()
        return False
    try:
        with transaction.atomic():
            ModelLike.objects.get_or_create(user=user, model=model)
    except IntegrityError:
        # A simultaneous request of the same user liked first: the like stands either way.
        pass
    return True


def publish_refusal(*, user: User, is_public: bool) -> str | None:
    if is_public and not user.is_verified:
        return VERIFY_TO_PUBLISH
    return None


def collection_create(*, user: User, title: str, note: str = "", is_public: bool = False) -> Collection:
    refusal = publish_refusal(user=user, is_public=is_public)
    if refusal:
        raise FavouritesError(refusal)
    return Collection.objects.create(user=user, title=title.strip(), note=note, is_public=is_public)


def collection_update(*, collection: Collection, title: str, note: str, is_public: bool) -> Collection:
    refusal = publish_refusal(user=collection.user, is_public=is_public and not collection.is_public)
    if refusal:
        raise FavouritesError(refusal)
    collection.title = title.strip()
    collection.note = note
    collection.is_public = is_public
    collection.save(update_fields=["title", "note", "is_public"])
    return collection


def collection_delete(*, collection: Collection) -> None:
    collection.delete()


def _lock(collection: Collection) -> None:
    """Take the collection's row lock for the rest of the transaction, and mark it updated.

    Every change of a collection's items starts here, so two of them (two tabs adding models, a move
    and a removal) run one after the other and read each other's positions."""
    Collection.objects.filter(pk=collection.pk).update(updated_at=Now())


def collection_add_model(*, collection: Collection, model: AIModel, note: str = "") -> CollectionModel:
    """Put `model` at the end of `collection`."""
    if not model.is_listed:
        raise FavouritesError("This model cannot be added to collections.")
    try:
        with transaction.atomic():
            _lock(collection)
            items = CollectionModel.objects.filter(collection=collection)
            if items.filter(model=model).exists():
                raise FavouritesError(ALREADY_IN_COLLECTION)
            if items.count() >= MAX_COLLECTION_MODELS:
                raise FavouritesError(FULL_COLLECTION)
            last = items.aggregate(last=Max("position"))["last"]
            return CollectionModel.objects.create(
                collection=collection, model=model, note=note, position=0 if last is None else last + 1
            )
    except IntegrityError as error:
        if violated_constraint(error) == IN_COLLECTION_CONSTRAINT:
            raise FavouritesError(ALREADY_IN_COLLECTION) from error
        raise


def collection_create_with_model(
    *, user: User, title: str, model: AIModel, is_public: bool = False
) -> tuple[Collection, CollectionModel]:
    """A new collection holding `model`: both rows or neither."""
    with transaction.atomic():
        collection = collection_create(user=user, title=title, is_public=is_public)
        item = collection_add_model(collection=collection, model=model)
    return collection, item


@transaction.atomic
def collection_remove_item(*, item: CollectionModel) -> None:
    _lock(item.collection)
    CollectionModel.objects.filter(pk=item.pk).delete()


@transaction.atomic
def collection_item_note(*, item: CollectionModel, note: str) -> CollectionModel:
    _lock(item.collection)
    item.note = note
    item.save(update_fields=["note"])
    return item


@transaction.atomic
def collection_move_item(*, item: CollectionModel, up: bool) -> bool:
    """Swap `item` with its neighbour above (up) or below. Returns False when it is already first (last).

    The two positions are swapped in one transaction; collection_models_position_unique is checked at
    commit (DEFERRABLE INITIALLY DEFERRED), when each position is held once again."""
    _lock(item.collection)
    current = CollectionModel.objects.filter(pk=item.pk).values_list("position", flat=True).first()
    if current is None:
        raise FavouritesError("This model is no longer in the collection.")
    siblings = CollectionModel.objects.filter(collection_id=item.collection_id)
    if up:
        neighbour = siblings.filter(position__lt=current).order_by("-position").first()
    else:
        neighbour = siblings.filter(position__gt=current).order_by("position").first()
    if neighbour is None:
        return False
    CollectionModel.objects.filter(pk=item.pk).update(position=neighbour.position)
    CollectionModel.objects.filter(pk=neighbour.pk).update(position=current)
    return True
