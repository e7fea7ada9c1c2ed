from django.conf import settings
from django.db import models

from accounts.models import Developer
from catalog.models import AIModel
from core.fields import check_in, check_non_negative, counter, created_at, updated_at, uuid_pk


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


class ReportReason(models.TextChoices):
    SPAM = "spam", "Spam or advertising"
    OFFENSIVE = "offensive", "Offensive or abusive"
    OFF_TOPIC = "off_topic", "Off-topic"
    NOT_THIS_MODEL = "not_this_model", "Not about this model"
    OTHER = "other", "Something else"


class ReportResolution(models.TextChoices):
    HIDDEN = "hidden", "Review hidden"
    DISMISSED = "dismissed", "Report dismissed"


class ReviewReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class ReviewReport(models.Model):
    """A user's report of a review to the moderators; open until staff hide the review or dismiss it.

    A user holds one open report per review (a partial unique index), may report again after a dismissal,
    and never reports their own review (a trigger, reviews/sql/triggers/review_reports_not_by_author.sql).
    """

    report_id = uuid_pk()
    review = models.ForeignKey(
        ModelReview, on_delete=models.CASCADE, db_column="review_id", related_name="reports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_column="user_id", related_name="review_reports"
    )
    reason = models.CharField(max_length=16, choices=ReportReason)
    details = models.TextField(max_length=2_000, blank=True, default="", db_default="")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=16, choices=ReportResolution, null=True, blank=True)
    # The staff member who resolved it; cascades like every key to users (tests/test_cascades.py).
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        db_column="resolved_by_id",
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = created_at()

    objects = ReviewReportQuerySet.as_manager()

    class Meta:
        db_table = "review_reports"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "user"],
                condition=models.Q(resolved_at__isnull=True),
                name="review_reports_one_open_per_user",
                violation_error_message="You have already reported this review.",
            ),
            check_in("reason", ReportReason.choices, "review_reports_reason_valid"),
            check_in("resolution", ReportResolution.choices, "review_reports_resolution_valid"),
            # Open: no resolution, nobody resolved it. Resolved: how, always said.
            models.CheckConstraint(
                condition=models.Q(
                    resolved_at__isnull=True, resolution__isnull=True, resolved_by__isnull=True
                )
                | models.Q(resolved_at__isnull=False, resolution__isnull=False),
                name="review_reports_resolution_when_resolved",
                violation_error_message="A resolved report says how it was resolved; an open one does not.",
            ),
        ]
        indexes = [
            # The moderators' queue: open reports, oldest first.
            models.Index(
                fields=["created_at"],
                name="review_reports_open_idx",
                condition=models.Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} report of “{self.review}”"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
