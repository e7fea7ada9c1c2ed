from django.conf import settings
from django.db import models

from accounts.models import Developer
from catalog.models import AIModel
from core.fields import check_non_negative, counter, created_at, updated_at, uuid_pk


class ModelReviewQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_hidden=False)

    def for_model(self, model):
        return self.filter(model=model)


class ModelReview(models.Model):
    review_id = uuid_pk()
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, db_column="model_id", related_name="reviews")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_column="user_id", related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField()
    review_title = models.CharField(max_length=200)
    review_text = models.TextField(max_length=10_000)
    helpful_votes = counter()
    is_hidden = models.BooleanField(default=False, db_default=False)
    created_at = created_at()
    updated_at = updated_at()

    objects = ModelReviewQuerySet.as_manager()

    class Meta:
        db_table = "model_reviews"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "user"],
                name="model_reviews_model_user_unique",
                violation_error_message="You have already reviewed this model.",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5),
                name="model_reviews_rating_range",
                violation_error_message="A rating is a whole number from 1 to 5.",
            ),
            check_non_negative("helpful_votes", "model_reviews_helpful_votes_non_negative"),
        ]
        indexes = [
            models.Index(fields=["model", "-created_at"], name="model_reviews_model_new_idx"),
            models.Index(fields=["model", "-helpful_votes"], name="model_reviews_model_help_idx"),
            models.Index(fields=["user"], name="model_reviews_user_idx"),
            # The rating histogram of the model page, read from the index alone.
            models.Index(
                fields=["model", "rating"],
                name="model_reviews_visible_rating",
                condition=models.Q(is_hidden=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_title} ({self.rating}/5)"


class ReviewVote(models.Model):
    vote_id = uuid_pk()
    review = models.ForeignKey(
        ModelReview, on_delete=models.CASCADE, db_column="review_id", related_name="votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_column="user_id", related_name="review_votes"
    )
    created_at = created_at()

    class Meta:
        db_table = "review_votes"
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="review_votes_review_user_unique"),
        ]


class ReviewReply(models.Model):
    """The model developer's one public reply under a review."""

    reply_id = uuid_pk()
    review = models.OneToOneField(
        ModelReview, on_delete=models.CASCADE, db_column="review_id", related_name="reply"
    )
    developer = models.ForeignKey(
        Developer, on_delete=models.CASCADE, db_column="developer_id", related_name="review_replies"
    )
    reply_text = models.TextField(max_length=5_000)
    created_at = created_at()
    updated_at = updated_at()

    class Meta:
        db_table = "review_replies"
        verbose_name_plural = "review replies"
