"""Likes of models and users' collections of models.

A like is a user's public mark on a model; models.like_count follows the likes by trigger (favourites/sql).
A collection is a user's titled, ordered list of models, each with an optional note, public or private.
The lengths the forms allow are CHECK constraints too, so plain SQL and the admin keep them.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from catalog.models import AIModel
from core.fields import check_non_negative, created_at, updated_at, uuid_pk

TITLE_MAX = 100
COLLECTION_NOTE_MAX = 2_000
ITEM_NOTE_MAX = 500


class ModelLike(models.Model):
    like_id = uuid_pk()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_column="user_id", related_name="model_likes"
    )
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, db_column="model_id", related_name="likes")
    created_at = created_at()

    class Meta:
        db_table = "model_likes"
        constraints = [
            # Leads with user_id: a user's likes, newest first, read from the pair index and this one.
            models.UniqueConstraint(fields=["user", "model"], name="model_likes_user_model_unique"),
        ]
        indexes = [
            # A model's likes (the cascade of a deleted model deletes by it).
            models.Index(fields=["model"], name="model_likes_model_idx"),
            models.Index(fields=["user", "-created_at"], name="model_likes_user_new_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.model_id}"


class CollectionQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def for_user(self, user):
        return self.filter(user=user)


class Collection(models.Model):
    collection_id = uuid_pk()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_column="user_id", related_name="collections"
    )
    title = models.CharField(max_length=TITLE_MAX)
    note = models.TextField(max_length=COLLECTION_NOTE_MAX, blank=True, default="", db_default="")
    is_public = models.BooleanField(default=False, db_default=False)
    created_at = created_at()
    updated_at = updated_at()

    objects = CollectionQuerySet.as_manager()

    # Set on the rows of list pages by favourites.selectors (beside model_count, the models the catalog
    # lists): the first few of those models, and how many others.
    preview: list[dict]
    more: int

    class Meta:
        db_table = "collections"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    GreaterThanOrEqual(Length(Trim("title")), 1), LessThanOrEqual(Length("title"), TITLE_MAX)
                ),
                name="collections_title_length",
                violation_error_message=f"A title has 1 to {TITLE_MAX} characters.",
            ),
            models.CheckConstraint(
                condition=models.Q(LessThanOrEqual(Length("note"), COLLECTION_NOTE_MAX)),
                name="collections_note_length",
                violation_error_message=f"A note has at most {COLLECTION_NOTE_MAX} characters.",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="collections_user_new_idx"),
            # The public list, newest first.
            models.Index(
                fields=["-created_at", "collection_id"],
                condition=models.Q(is_public=True),
                name="collections_public_new_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("favourites:collection_detail", args=[self.pk])


class CollectionModel(models.Model):
    """One model in a collection, at `position` (unique in the collection; a move swaps two positions
    inside one transaction, hence the deferred constraint)."""

    item_id = uuid_pk()
    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, db_column="collection_id", related_name="items"
    )
    model = models.ForeignKey(
        AIModel, on_delete=models.CASCADE, db_column="model_id", related_name="collection_items"
    )
    note = models.TextField(max_length=ITEM_NOTE_MAX, blank=True, default="", db_default="")
    position = models.IntegerField(default=0, db_default=0)
    created_at = created_at()

    class Meta:
        db_table = "collection_models"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "model"],
                name="collection_models_collection_model_unique",
                violation_error_message="This model is already in the collection.",
            ),
            models.UniqueConstraint(
                fields=["collection", "position"],
                name="collection_models_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            check_non_negative("position", "collection_models_position_non_negative"),
            models.CheckConstraint(
                condition=models.Q(LessThanOrEqual(Length("note"), ITEM_NOTE_MAX)),
                name="collection_models_note_length",
                violation_error_message=f"A note has at most {ITEM_NOTE_MAX} characters.",
            ),
        ]
        indexes = [
            models.Index(fields=["model"], name="collection_models_model_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.model_id} in {self.collection_id}"
