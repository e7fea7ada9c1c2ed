from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Now, Upper

from accounts.models import Developer
from catalog.models import AIModel
from core.fields import check_in, check_non_negative, counter, created_at, uuid_pk


class HistoryStatus(models.TextChoices):
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    TIMEOUT = "timeout", "Timed out"
    CANCELLED = "cancelled", "Cancelled"


class UserHistoryQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def newest_first(self):
        return self.order_by("-request_timestamp", "-history_id")


class UserHistory(models.Model):
    history_id = uuid_pk()
    # No single-column indexes on the keys: user_history_user_session_ts_unique and the two *_ts_idx
    # indexes lead with them (migration 0012).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        db_column="user_id",
        related_name="history",
        db_index=False,
    )
    model = models.ForeignKey(
        AIModel, on_delete=models.CASCADE, db_column="model_id", related_name="history", db_index=False
    )
    session_id = models.CharField(max_length=100)
    prompt = models.TextField()
    response = models.TextField(blank=True, db_default="")
    status = models.CharField(max_length=16, choices=HistoryStatus)
    request_timestamp = models.DateTimeField(db_default=Now())
    response_time_ms = models.IntegerField(null=True, blank=True)
    cost_incurred = models.DecimalField(
        max_digits=10, decimal_places=4, default=Decimal("0"), db_default=Decimal("0")
    )
    user_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    first_chunk_ms = models.IntegerField(
        null=True, blank=True, help_text="Streamed calls: time to the answer's first piece."
    )
    # The personal key's loggable prefix (as api_usage_logs.api_key_used), or "playground".
    api_key_used = models.CharField(max_length=24, blank=True, db_default="", editable=False)
    created_at = created_at()

    objects = UserHistoryQuerySet.as_manager()

    class Meta:
        db_table = "user_history"
        ordering = ["-request_timestamp"]
        verbose_name_plural = "user history"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "session_id", "request_timestamp"],
                name="user_history_user_session_ts_unique",
            ),
            check_in("status", HistoryStatus.choices, "user_history_status_valid"),
            check_non_negative("response_time_ms", "user_history_response_time_non_negative"),
            check_non_negative("cost_incurred", "user_history_cost_non_negative"),
            check_non_negative("first_chunk_ms", "user_history_first_chunk_non_negative"),
            models.CheckConstraint(
                condition=models.Q(user_rating__isnull=True)
                | models.Q(user_rating__gte=1, user_rating__lte=5),
                name="user_history_user_rating_range",
                violation_error_message="A rating is a whole number from 1 to 5.",
            ),
        ]
        indexes = [
            # The history page's order, with what its filters test beside it: a page, a deep OFFSET and a
            # filtered count read this index alone, never the wide rows they skip.
            models.Index(
                fields=["user", "-request_timestamp", "-history_id"],
                include=["model", "status"],
                name="user_history_user_ts_idx",
            ),
            models.Index(fields=["model", "-request_timestamp"], name="user_history_model_ts_idx"),
            # The history page's text search (`q`, prompt__icontains: UPPER(prompt) LIKE UPPER('%…%')):
            # trigrams of the upper-cased prompt, so a heavy user's search reads the matching rows instead
            # of all of theirs (migration 0020 says what it measured).
            GinIndex(OpClass(Upper("prompt"), name="gin_trgm_ops"), name="user_history_prompt_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.model_id} at {self.request_timestamp:%Y-%m-%d %H:%M}"


class ApiUsageLogQuerySet(models.QuerySet):
    def for_developer(self, developer):
        return self.filter(model__developer=developer)


class ApiUsageLog(models.Model):
    log_id = uuid_pk()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_column="user_id",
        related_name="usage_logs",
        db_index=False,
    )
    developer = models.ForeignKey(
        Developer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_column="developer_id",
        related_name="usage_logs",
        db_index=False,
    )
    model = models.ForeignKey(
        AIModel, on_delete=models.CASCADE, db_column="model_id", related_name="usage_logs", db_index=False
    )
    api_key_used = models.CharField(max_length=24, blank=True, db_default="")
    request_method = models.CharField(max_length=10, default="POST", db_default="POST")
    response_code = models.PositiveSmallIntegerField()
    request_size = models.IntegerField(default=0, db_default=0)
    response_size = models.IntegerField(default=0, db_default=0)
    processing_time_ms = models.IntegerField(default=0, db_default=0)
    first_chunk_ms = models.IntegerField(
        null=True, blank=True, help_text="Streamed calls: time to the answer's first piece."
    )
    created_at = created_at()

    objects = ApiUsageLogQuerySet.as_manager()

    class Meta:
        db_table = "api_usage_logs"
        verbose_name = "API usage log"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_code__gte=100, response_code__lte=599),
                name="api_usage_logs_response_code_range",
            ),
            check_non_negative("request_size", "api_usage_logs_request_size_non_negative"),
            check_non_negative("response_size", "api_usage_logs_response_size_non_negative"),
            check_non_negative("processing_time_ms", "api_usage_logs_processing_time_non_negative"),
            check_non_negative("first_chunk_ms", "api_usage_logs_first_chunk_non_negative"),
        ]
        indexes = [
            models.Index(fields=["model", "-created_at"], name="api_usage_logs_model_ts_idx"),
            models.Index(fields=["developer", "-created_at"], name="api_usage_logs_dev_ts_idx"),
            models.Index(fields=["user", "-created_at"], name="api_usage_logs_user_ts_idx"),
        ]


class ModelUser(models.Model):
    """One row per (model, user) pair present in user_history, with how many history rows it has.

    Kept by trigger with ON CONFLICT so models.total_users is exact under concurrent first calls and
    drops when a user's last history row for a model is deleted.
    """

    id = uuid_pk()
    model = models.ForeignKey(
        AIModel, on_delete=models.CASCADE, db_column="model_id", related_name="+", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        db_column="user_id",
        related_name="+",
        db_index=False,
    )
    interactions = models.IntegerField()
    # The pair's completed calls: a review by this user of this model is by a "verified caller".
    answered = models.IntegerField(default=0, db_default=0)

    class Meta:
        db_table = "model_users"
        constraints = [
            models.UniqueConstraint(fields=["model", "user"], name="model_users_model_user_unique"),
            models.CheckConstraint(
                condition=models.Q(interactions__gte=0), name="model_users_interactions_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(answered__gte=0, answered__lte=models.F("interactions")),
                name="model_users_answered_within_interactions",
            ),
        ]
        indexes = [
            # A user's most-called models (the history page's model filter) without sorting all their pairs.
            models.Index(fields=["user", "-interactions", "model"], name="model_users_user_top_idx"),
        ]


class UserHistoryCount(models.Model):
    """How many user_history rows a user has of each status, kept by statement triggers.

    The history page shows a user's total, or their count of one status, from here instead of counting
    up to hundreds of thousands of rows; ON CONFLICT upserts keep it exact under concurrent writers.
    """

    id = uuid_pk()
    # The unique (user, status) index serves every lookup by user: no separate foreign-key index.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        db_column="user_id",
        db_index=False,
        related_name="+",
    )
    status = models.CharField(max_length=16, choices=HistoryStatus)
    interactions = counter()
    # Sums behind /me/ and user_activity_summary (migration 0011): cost, and latency over the rows that
    # have one, so the average needs no scan of the user's history.
    cost_total = models.DecimalField(
        max_digits=20, decimal_places=4, default=Decimal("0"), db_default=Decimal("0"), editable=False
    )
    response_time_ms_total = counter(big=True)
    response_time_count = counter()

    class Meta:
        db_table = "user_history_counts"
        constraints = [
            models.UniqueConstraint(fields=["user", "status"], name="user_history_counts_user_status_unique"),
            check_in("status", HistoryStatus.choices, "user_history_counts_status_valid"),
            check_non_negative("interactions", "user_history_counts_interactions_non_negative"),
            check_non_negative("cost_total", "user_history_counts_cost_total_non_negative"),
            check_non_negative("response_time_ms_total", "user_history_counts_response_total_non_negative"),
            check_non_negative("response_time_count", "user_history_counts_response_count_non_negative"),
        ]


class DeveloperMonthlyUsage(models.Model):
    """Calls forwarded for a developer in one calendar month (UTC): the quota counter.

    The gateway reserves a call with one conditional upsert (calls < api_quota), so exactly api_quota
    calls pass however many arrive at once, with no scan of the logs.
    """

    id = uuid_pk()
    developer = models.ForeignKey(
        Developer,
        on_delete=models.CASCADE,
        db_column="developer_id",
        related_name="monthly_usage",
        db_index=False,
    )
    month = models.DateField(help_text="First day of the month, UTC.")
    calls = counter()

    class Meta:
        db_table = "developer_monthly_usage"
        verbose_name_plural = "developer monthly usage"
        constraints = [
            models.UniqueConstraint(fields=["developer", "month"], name="developer_monthly_usage_unique"),
            check_non_negative("calls", "developer_monthly_usage_calls_non_negative"),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="developer_monthly_usage_first_of_month"
            ),
        ]


LATENCY_BUCKETS = (
    64  # bucket b holds latencies in [1.2^b - 1, 1.2^(b+1) - 1) ms; see activity_latency_bucket()
)


class ModelConsumerUsage(models.Model):
    """Calls one user made of one model in one calendar month (UTC): the counter behind the model's
    consumer_monthly_limit, reserved like the quota (one conditional upsert, calls < limit)."""

    id = uuid_pk()
    model = models.ForeignKey(
        AIModel, on_delete=models.CASCADE, db_column="model_id", related_name="consumer_usage", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        db_column="user_id",
        related_name="model_usage",
        db_index=False,
    )
    month = models.DateField(help_text="First day of the month, UTC.")
    calls = counter()

    class Meta:
        db_table = "model_consumer_usage"
        verbose_name_plural = "model consumer usage"
        constraints = [
            models.UniqueConstraint(fields=["model", "user", "month"], name="model_consumer_usage_unique"),
            check_non_negative("calls", "model_consumer_usage_calls_non_negative"),
        ]
        indexes = [models.Index(fields=["user"], name="model_consumer_usage_user_idx")]


class ModelDailyStats(models.Model):
    """Per-model, per-day rollup of api_usage_logs and user_history, kept current by triggers.

    The dashboard reads these instead of the raw logs, so its cost does not grow with the log table.
    `calls` are the calls forwarded to the model's upstream (answered 2xx, or 502/504 when the upstream
    failed); `refused` the calls the platform turned away before forwarding (4xx, 503), which no public
    figure counts. Processing time and the latency histogram are of forwarded calls only.
    """

    id = uuid_pk()
    model = models.ForeignKey(
        AIModel, on_delete=models.CASCADE, db_column="model_id", related_name="daily_stats", db_index=False
    )
    day = models.DateField()
    calls = counter()
    successes = counter()
    refused = counter()
    server_errors = counter()
    processing_ms_total = counter(big=True)
    latency_buckets = ArrayField(
        models.IntegerField(), size=LATENCY_BUCKETS, default=list, db_default=[], editable=False
    )
    interactions = counter()
    revenue = models.DecimalField(
        max_digits=16, decimal_places=4, default=Decimal("0"), db_default=Decimal("0"), editable=False
    )

    class Meta:
        db_table = "model_daily_stats"
        verbose_name_plural = "model daily stats"
        constraints = [
            models.UniqueConstraint(fields=["model", "day"], name="model_daily_stats_model_day_unique"),
            check_non_negative("calls", "model_daily_stats_calls_non_negative"),
            check_non_negative("revenue", "model_daily_stats_revenue_non_negative"),
        ]
        indexes = [models.Index(fields=["day"], name="model_daily_stats_day_idx")]


class UserActivitySummary(models.Model):
    """Read-only: the user_activity_summary view, one row per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_column="user_id",
        related_name="+",
    )
    username = models.CharField(max_length=150)
    total_interactions = models.BigIntegerField()
    distinct_models = models.BigIntegerField()
    total_cost = models.DecimalField(max_digits=20, decimal_places=4)
    avg_response_time_ms = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    last_activity_at = models.DateTimeField(null=True)
    reviews_written = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "user_activity_summary"
        verbose_name_plural = "user activity summaries"


# --- Media that calls carry (activity.media) ----------------------------------------------------------------
class MediaDirection(models.TextChoices):
    INPUT = "input", "Sent"
    OUTPUT = "output", "Answer"


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"


class CallMediaQuerySet(models.QuerySet):
    def live(self):
        """Media still kept: a row past its expires_at is gone for its owner even before
        `manage.py expire_call_media` deletes it."""
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=Now()))

    def for_user(self, user):
        return self.filter(user=user)


class CallMedia(models.Model):
    """An image or audio file a call sent (direction input) or answered (output), kept in the call_media
    storage under `path` and shown on its history entry. Deleting a row, however it happens (the entry's
    delete view, a cascade from user_history or users, plain SQL), queues its file for removal: the
    call_media_queue_deletions trigger and activity.media.purge_deleted_media."""

    media_id = uuid_pk()
    history = models.ForeignKey(
        UserHistory, on_delete=models.CASCADE, db_column="history_id", related_name="media"
    )
    # The owner beside the entry, so that serving a file checks ownership without a join.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_column="user_id", related_name="+"
    )
    direction = models.CharField(max_length=8, choices=MediaDirection)
    kind = models.CharField(max_length=8, choices=MediaKind)
    mime = models.CharField(max_length=100)
    # Storage-relative name, calls/<yyyy>/<mm>/<media_id>.<ext>: never shown, never guessable.
    path = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField()
    width = models.IntegerField(null=True, blank=True, help_text="Images: pixels.")
    height = models.IntegerField(null=True, blank=True, help_text="Images: pixels.")
    # The item's place in what the call handed over, so that several images of one answer keep their order.
    position = models.SmallIntegerField(default=0, db_default=0)
    created_at = created_at()
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Null: kept until deleted.")

    objects = CallMediaQuerySet.as_manager()

    class Meta:
        db_table = "call_media"
        verbose_name_plural = "call media"
        ordering = ["history_id", "direction", "position"]
        constraints = [
            models.UniqueConstraint(fields=["path"], name="call_media_path_unique"),
            check_in("direction", MediaDirection.choices, "call_media_direction_valid"),
            check_in("kind", MediaKind.choices, "call_media_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(kind="image", mime__startswith="image/")
                | models.Q(kind="audio", mime__startswith="audio/"),
                name="call_media_mime_of_its_kind",
            ),
            models.CheckConstraint(condition=models.Q(size_bytes__gt=0), name="call_media_size_positive"),
            check_non_negative("position", "call_media_position_non_negative"),
            models.CheckConstraint(
                condition=(models.Q(width__isnull=True) | models.Q(width__gt=0))
                & (models.Q(height__isnull=True) | models.Q(height__gt=0)),
                name="call_media_dimensions_positive",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=models.Q(expires_at__isnull=False),
                name="call_media_expires_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.direction} of {self.history_id}"

    @property
    def filename(self) -> str:
        """The name a browser saves it under: answer-image.png, sent-audio.wav."""
        label = MediaDirection(self.direction).label.lower()
        return f"{label}-{self.kind}{PurePosixPath(self.path).suffix}"


class CallMediaDeletion(models.Model):
    """A file whose call_media row is gone, waiting for activity.media.purge_deleted_media to delete it
    from storage. Written only by the call_media_queue_deletions trigger."""

    deletion_id = uuid_pk()
    path = models.CharField(max_length=255)
    queued_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        db_table = "call_media_deletions"
        ordering = ["queued_at"]
