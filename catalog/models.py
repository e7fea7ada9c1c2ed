from datetime import UTC
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func
from django.db.models.functions import Cast, Now, Upper
from django.utils import timezone
from django.utils.text import Truncator

from accounts.models import Developer, DeveloperStatus, UserStatus
from catalog.kinds import INPUT_KINDS, OUTPUT_KINDS, kinds_of
from core.fields import check_in, check_non_negative, counter, created_at, updated_at, uuid_pk
from core.http import around_slug
from core.markdown import markdown_to_text


class Category(models.TextChoices):
    TEXT_GENERATION = "text_generation", "Text generation"
    IMAGE_GENERATION = "image_generation", "Image generation"
    CODE_GENERATION = "code_generation", "Code generation"
    SPEECH_TO_TEXT = "speech_to_text", "Speech to text"
    TEXT_TO_SPEECH = "text_to_speech", "Text to speech"
    TRANSLATION = "translation", "Translation"
    SUMMARIZATION = "summarization", "Summarization"
    EMBEDDINGS = "embeddings", "Embeddings"
    CLASSIFICATION = "classification", "Classification"
    MULTIMODAL = "multimodal", "Multimodal"
    OTHER = "other", "Other"


CATEGORY_LABELS = dict(Category.choices)
CARD_SUMMARY_CHARS = 150


class ModelStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    UNDER_REVIEW = "under_review", "Under review"
    DEPRECATED = "deprecated", "Deprecated"


# Who may see or call a model, written once. Each queryset method below has a predicate on AIModel that
# says the same of a row already loaded (with its developer and the developer's account):
#
#   listed()  ~ is_listed      its page is open to everyone, and it takes reviews: public, active or
#                              deprecated, of a serving developer
#   served()  ~ is_in_service  the gateway and the playground forward calls to it: active, or deprecated
#                              with a sunset still ahead, of a serving developer (public or not: a model
#                              key calls its own private model)
#   public()  ~ is_in_catalog  listed and served: the catalog, home, developer profiles, GET /api/v1/models
#
# A serving developer is an active developer whose account is active (AIModel.developer_serves).
# served() and public() read models.is_served, kept by triggers (catalog migrations 0004 and 0012), so the
# catalog reads one table; tests/test_visibility_rule.py checks every combination of the three statuses,
# the sunset and is_public against the predicates and the pages.
#
# A deprecation with notice (catalog migration 0012): a deprecated model with a sunset_at keeps answering
# until that moment, then answers 410 Gone like a deprecated model without one. A stored flag cannot
# follow the clock, so is_served says "served until sunset_at, if it has one" and the reads compare
# sunset_at with now() (SERVED_NOW; in Python, sunset_ahead on the row already loaded).
LISTED_STATUSES = (ModelStatus.ACTIVE, ModelStatus.DEPRECATED)
SERVED_NOW = models.Q(is_served=True) & (models.Q(sunset_at__isnull=True) | models.Q(sunset_at__gt=Now()))


class AIModelQuerySet(models.QuerySet):
    def listed(self):
        """Models whose page everyone may see (AIModel.is_listed)."""
        return self.filter(
            is_public=True,
            status__in=LISTED_STATUSES,
            developer__status=DeveloperStatus.ACTIVE,
            developer__user__status=UserStatus.ACTIVE,
        )

    def served(self):
        """Models the gateway answers (AIModel.is_in_service): the trigger-kept is_served, and a sunset, if
        the model has one, still ahead."""
        return self.filter(SERVED_NOW)

    def public(self):
        """Models the catalog lists (AIModel.is_in_catalog): listed and served."""
        return self.served().filter(is_public=True)

    def for_developer(self, developer):
        return self.filter(developer=developer)


class AIModel(models.Model):
    model_id = uuid_pk()
    # Indexed by models_developer_status_idx (developer_id, status), not a second index of its own.
    developer = models.ForeignKey(
        Developer, on_delete=models.CASCADE, db_column="developer_id", related_name="models", db_index=False
    )
    model_name = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200)
    description = models.TextField(blank=True, db_default="")
    api_name = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Lowercase letters, digits and hyphens; the model's address in URLs and the API.",
        error_messages={"unique": "That API name is taken. Choose another."},
    )
    api_key = models.CharField(
        max_length=64, unique=True, editable=False, help_text="SHA-256 of the model's key, hex."
    )
    api_key_prefix = models.CharField(max_length=24, editable=False)
    category = models.CharField(max_length=32, choices=Category, default=Category.OTHER)
    tags = ArrayField(models.CharField(max_length=50), default=list, db_default=[], blank=True, size=20)
    status = models.CharField(
        max_length=32,
        choices=ModelStatus,
        default=ModelStatus.UNDER_REVIEW,
        db_default=ModelStatus.UNDER_REVIEW,
    )
    is_public = models.BooleanField(default=True, db_default=True)
    # Active model (or deprecated with a sunset date) of an active developer with an active account: kept
    # by triggers (migrations 0004, 0012) from models.status and sunset_at, developers.status and
    # users.status, so listing queries read this table alone. A deprecated model is served only until its
    # sunset_at, which the reads compare with the clock (SERVED_NOW).
    is_served = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text="Kept by triggers: active (or deprecated with a sunset date) model, active developer, "
        "active account.",
    )
    # A deprecation with notice (migration 0012). The model_deprecation_row trigger sets deprecated_at when
    # the status becomes deprecated and clears all four when it leaves it; CHECKs refuse them on a model
    # that is not deprecated, and a model that replaces itself.
    sunset_at = models.DateTimeField(
        null=True, blank=True, help_text="A deprecated model answers until this moment, then 410 Gone."
    )
    replacement = models.ForeignKey(
        "self",
        # SET NULL in the database too (migration 0012): deleting the replacement must never delete the
        # models that point their users at it.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_column="replacement_model_id",
        related_name="replaced_models",
        db_index=False,  # models_replacement_status_idx leads with it
    )
    deprecated_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Kept by trigger: when the model was deprecated."
    )
    deprecation_note = models.TextField(
        blank=True, default="", db_default="", help_text="The developer's word to the model's users."
    )
    endpoint_url = models.URLField(
        max_length=500, help_text="The upstream the platform forwards calls to (http or https)."
    )
    price_per_request = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        default=Decimal("0"),
        db_default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    consumer_monthly_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Calls each user may make of this model per calendar month (UTC); empty for no limit.",
    )
    # What the model takes and gives (catalog.kinds); null for its category's kinds.
    input_kinds = ArrayField(models.CharField(max_length=16), null=True, blank=True, size=3)
    output_kinds = ArrayField(models.CharField(max_length=16), null=True, blank=True, size=5)
    total_requests = counter(big=True)
    total_users = counter()
    average_rating = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("0"), db_default=Decimal("0"), editable=False
    )
    rating_count = counter()
    # Running sum of visible ratings, kept by trigger beside rating_count so the average is exact
    # under concurrent writers without re-aggregating the reviews table.
    rating_sum = counter(big=True)
    # Users who like the model: kept by a trigger on model_likes (favourites migration 0002).
    like_count = counter()
    # Weighted full-text document (names A, tags B, description C), a generated column that PostgreSQL
    # keeps itself, with a GIN index. catalog_tags_text() is an IMMUTABLE wrapper created in migration 0001.
    search_vector = models.GeneratedField(
        expression=(
            SearchVector("model_name", "display_name", weight="A", config="english")
            + SearchVector(Func(F("tags"), function="catalog_tags_text"), weight="B", config="english")
            + SearchVector("description", weight="C", config="english")
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    created_at = created_at()
    updated_at = updated_at()

    objects = AIModelQuerySet.as_manager()

    class Meta:
        db_table = "models"
        ordering = ["display_name"]
        verbose_name = "AI model"
        constraints = [
            check_in("category", Category.choices, "models_category_valid"),
            check_in("status", ModelStatus.choices, "models_status_valid"),
            check_non_negative("price_per_request", "models_price_non_negative"),
            models.CheckConstraint(
                condition=models.Q(consumer_monthly_limit__isnull=True)
                | models.Q(consumer_monthly_limit__gte=1),
                name="models_consumer_monthly_limit_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(input_kinds__isnull=True)
                | models.Q(
                    input_kinds__len__gt=0, input_kinds__contained_by=[kind.value for kind in INPUT_KINDS]
                ),
                name="models_input_kinds_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(output_kinds__isnull=True)
                | models.Q(
                    output_kinds__len__gt=0, output_kinds__contained_by=[kind.value for kind in OUTPUT_KINDS]
                ),
                name="models_output_kinds_valid",
            ),
            check_non_negative("total_requests", "models_total_requests_non_negative"),
            check_non_negative("total_users", "models_total_users_non_negative"),
            check_non_negative("rating_count", "models_rating_count_non_negative"),
            check_non_negative("rating_sum", "models_rating_sum_non_negative"),
            check_non_negative("like_count", "models_like_count_non_negative"),
            models.CheckConstraint(
                condition=models.Q(average_rating__gte=0, average_rating__lte=5),
                name="models_average_rating_range",
            ),
            models.CheckConstraint(
                condition=models.Q(api_key__regex=r"^[0-9a-f]{64}$"), name="models_api_key_hex"
            ),
            models.CheckConstraint(
                condition=~models.Q(replacement=models.F("model_id")),
                name="models_replacement_not_self",
                violation_error_message="A model cannot replace itself.",
            ),
            models.CheckConstraint(
                condition=models.Q(sunset_at__isnull=True) | models.Q(status=ModelStatus.DEPRECATED),
                name="models_sunset_only_deprecated",
                violation_error_message="Only a deprecated model has a sunset date.",
            ),
            models.CheckConstraint(
                condition=models.Q(replacement__isnull=True) | models.Q(status=ModelStatus.DEPRECATED),
                name="models_replacement_only_deprecated",
                violation_error_message="Only a deprecated model names a replacement.",
            ),
            models.CheckConstraint(
                condition=models.Q(deprecation_note="") | models.Q(status=ModelStatus.DEPRECATED),
                name="models_deprecation_note_only_deprecated",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ModelStatus.DEPRECATED, deprecated_at__isnull=False)
                | (~models.Q(status=ModelStatus.DEPRECATED) & models.Q(deprecated_at__isnull=True)),
                name="models_deprecated_at_when_deprecated",
            ),
            models.CheckConstraint(
                condition=models.Q(api_name__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
                name="models_api_name_slug",
                violation_error_message="The API name may hold lowercase letters, digits and single hyphens.",
            ),
            models.CheckConstraint(
                condition=models.Q(endpoint_url__regex=r"^https?://"),
                name="models_endpoint_url_http",
                violation_error_message="The endpoint URL must start with http:// or https://.",
            ),
        ]
        indexes = [
            GinIndex(fields=["tags"], name="models_tags_gin"),
            GinIndex(fields=["search_vector"], name="models_search_vector_gin"),
            models.Index(fields=["developer", "status"], name="models_developer_status_idx"),
            models.Index(fields=["category", "status"], name="models_category_status_idx"),
            # The models a deletion sets null, and a replacement's deprecated predecessors.
            models.Index(fields=["replacement", "status"], name="models_replacement_status_idx"),
            # Both carry sunset_at, so that the catalog's counts and the rollups' joins, which leave out
            # models past their sunset (SERVED_NOW), still read the index alone.
            models.Index(
                fields=["category"],
                include=["sunset_at"],
                condition=models.Q(is_served=True, is_public=True),
                name="models_listed_idx",
            ),
            # Listed models' ids, for joins from the rollups (home's trending row) without reading rows.
            models.Index(
                fields=["model_id"],
                include=["sunset_at"],
                condition=models.Q(is_served=True, is_public=True),
                name="models_listed_id_idx",
            ),
            # Sort orders of listed models that a page reads a few rows of (home rows, catalog pages).
            # None holds total_requests: every call updates it, and an index on it would end the HOT
            # updates that keep a hot model's row cheap to write.
            models.Index(
                F("created_at").desc(),
                "model_id",
                condition=models.Q(is_served=True, is_public=True),
                name="models_listed_newest_idx",
            ),
            models.Index(
                F("average_rating").desc(),
                F("rating_count").desc(),
                "model_id",
                condition=models.Q(is_served=True, is_public=True),
                name="models_listed_rating_idx",
            ),
            models.Index(
                "display_name",
                "model_id",
                condition=models.Q(is_served=True, is_public=True),
                name="models_listed_name_idx",
            ),
            # The catalog's "Most liked" order. Only a like or an unlike changes like_count, so the calls
            # that update total_requests stay HOT updates.
            models.Index(
                F("like_count").desc(),
                "model_id",
                condition=models.Q(is_served=True, is_public=True),
                name="models_listed_likes_idx",
            ),
            # Name-prefix search (istartswith compiles to UPPER(col::text) LIKE UPPER('x%')).
            models.Index(
                OpClass(Upper(Cast("display_name", models.TextField())), name="text_pattern_ops"),
                name="models_display_name_prefix_idx",
            ),
            models.Index(
                OpClass(Upper(Cast("model_name", models.TextField())), name="text_pattern_ops"),
                name="models_model_name_prefix_idx",
            ),
            models.Index(
                OpClass(Upper(Cast("api_name", models.TextField())), name="text_pattern_ops"),
                name="models_api_name_prefix_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        # api_name is a slug (CHECK models_api_name_slug): catalog pages link dozens of models.
        before, after = around_slug("catalog:model_detail")
        return before + self.api_name + after

    @property
    def takes(self) -> tuple[str, ...]:
        """The kinds of input the model takes (catalog.kinds): its own, or its category's."""
        return kinds_of(self.category, self.input_kinds, self.output_kinds)[0]

    @property
    def gives(self) -> tuple[str, ...]:
        """The kinds of output the model gives: its own, or its category's."""
        return kinds_of(self.category, self.input_kinds, self.output_kinds)[1]

    @property
    def initial(self) -> str:
        return self.display_name[:1].upper()

    @property
    def summary(self) -> str:
        """The description as plain text (its Markdown syntax dropped: the card shows one paragraph of
        words), cut to CARD_SUMMARY_CHARS like truncatechars (Truncator only when needed)."""
        text = markdown_to_text(self.description)
        if len(text) <= CARD_SUMMARY_CHARS:
            return text
        if text.isascii():
            return text[: CARD_SUMMARY_CHARS - 1] + "…"
        return Truncator(text).chars(CARD_SUMMARY_CHARS)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)

    @property
    def is_deprecated(self) -> bool:
        return self.status == ModelStatus.DEPRECATED

    @property
    def sunset_ahead(self) -> bool:
        """Deprecated with notice, and the sunset has not come: it still answers (is_in_service)."""
        return self.is_deprecated and self.sunset_at is not None and self.sunset_at > timezone.now()

    @property
    def is_retired(self) -> bool:
        """Deprecated and past its sunset (or deprecated without one): calls get 410 Gone."""
        return self.is_deprecated and not self.sunset_ahead

    @property
    def sunset_days(self) -> int | None:
        """Calendar days (UTC) from today to the sunset's day, None without a sunset ahead: a model that
        stops answering at 00:00 on the 15th, seen on the 7th, stops in 8 days."""
        if not self.sunset_ahead:
            return None
        assert self.sunset_at is not None
        return (self.sunset_at.astimezone(UTC).date() - timezone.now().astimezone(UTC).date()).days

    def retired_message(self, replacement_api_name: str | None = None) -> str:
        """What a call of a retired model is told (the gateway's 410, the playground): the replacement's
        api_name, passed in where it was read with the model (the gateway's one query) or read here."""
        if replacement_api_name is None and self.replacement_id is not None:
            replacement_api_name = self.replacement.api_name
        message = f"The model {self.api_name!r} is deprecated and no longer answers."
        if replacement_api_name:
            message += f" Use {replacement_api_name} instead."
        return message

    # The visibility rule on a loaded row (see LISTED_STATUSES above): no query when the developer and the
    # developer's account came with the model (select_related("developer__user"), the gateway's rows).
    @property
    def developer_serves(self) -> bool:
        """The model's developer is active and so is the account behind it (Developer.serves)."""
        return self.developer.serves

    @property
    def is_listed(self) -> bool:
        """Its page is open to everyone: AIModel.objects.listed() holds this row."""
        return self.is_public and self.status in LISTED_STATUSES and self.developer_serves

    @property
    def is_in_service(self) -> bool:
        """Calls to it are forwarded: AIModel.objects.served() holds this row."""
        return (self.status == ModelStatus.ACTIVE or self.sunset_ahead) and self.developer_serves

    @property
    def is_in_catalog(self) -> bool:
        """The catalog lists it: AIModel.objects.public() holds this row."""
        return self.is_public and self.is_in_service


class PublicModel(models.Model):
    """Read-only: the public_models_view (public models of active developers that answer calls now: active,
    or deprecated with a sunset ahead)."""

    model = models.OneToOneField(
        AIModel, primary_key=True, on_delete=models.DO_NOTHING, db_column="model_id", related_name="+"
    )
    api_name = models.CharField(max_length=100)
    display_name = models.CharField(max_length=200)
    description = models.TextField()
    category = models.CharField(max_length=32, choices=Category)
    tags = ArrayField(models.CharField(max_length=50))
    price_per_request = models.DecimalField(max_digits=10, decimal_places=4)
    average_rating = models.DecimalField(max_digits=3, decimal_places=2)
    rating_count = models.IntegerField()
    total_requests = models.BigIntegerField()
    total_users = models.IntegerField()
    created_at = models.DateTimeField()
    developer = models.ForeignKey(
        Developer, on_delete=models.DO_NOTHING, db_column="developer_id", related_name="+"
    )
    developer_username = models.CharField(max_length=150)
    company_name = models.CharField(max_length=200)
    sunset_at = models.DateTimeField(null=True)  # deprecated with notice: it stops answering then

    class Meta:
        managed = False
        db_table = "public_models_view"
        ordering = ["display_name"]


class DeveloperDashboardStats(models.Model):
    """Read-only: the developer_dashboard_stats view, one row per developer."""

    developer = models.OneToOneField(
        Developer, primary_key=True, on_delete=models.DO_NOTHING, db_column="developer_id", related_name="+"
    )
    username = models.CharField(max_length=150)
    total_models = models.IntegerField()
    active_models = models.IntegerField()
    total_requests = models.BigIntegerField()
    total_users = models.BigIntegerField()
    average_rating = models.DecimalField(max_digits=3, decimal_places=2)
    total_revenue = models.DecimalField(max_digits=20, decimal_places=4)
    calls_this_month = models.BigIntegerField()
    api_quota = models.IntegerField()

    class Meta:
        managed = False
        db_table = "developer_dashboard_stats"
