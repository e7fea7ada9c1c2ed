"""Review moderation: hide and show reviews, and the queue of users' reports; a hidden review stops counting
in the model's rating, and its author sees the moderators' notice above the reviews of the model page."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.text import Truncator

from core.admin import PlatformAdmin, report
from reviews import services
from reviews.models import ModelReview, ReviewReply, ReviewReport, ReviewVote


class ReviewReplyInline(admin.StackedInline):
    model = ReviewReply
    fields = ("reply_text", "developer", "created_at", "updated_at")
    readonly_fields = ("developer", "created_at", "updated_at")
    extra = 0
    max_num = 1


@admin.register(ModelReview)
class ModelReviewAdmin(PlatformAdmin):
    list_display = (
        "review_title",
        "model",
        "user",
        "rating",
        "helpful_votes",
        "is_hidden",
        "has_reply",
        "created_at",
    )
    list_filter = ("is_hidden", "rating", "model__category")
    list_select_related = ("model", "user", "reply")
    search_fields = (
        "review_title",
        "review_text",
        "user__username",
        "model__api_name",
        "model__display_name",
    )
    date_hierarchy = "created_at"
    autocomplete_fields = ("model", "user")
    fields = (
        "model",
        "user",
        "rating",
        "review_title",
        "review_text",
        "is_hidden",
        "helpful_votes",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("helpful_votes", "created_at", "updated_at")
    inlines = [ReviewReplyInline]
    actions = ["hide_reviews", "show_reviews"]

    def get_readonly_fields(self, request, obj=None):
        # A review stays with the model and the author it was written for.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "model", "user") if obj else fields

    @admin.display(description="Reply", boolean=True)
    def has_reply(self, review: ModelReview) -> bool:
        return hasattr(review, "reply")

    def save_model(self, request, obj, form, change):
        # Ticking "is hidden" here resolves the review's open reports too (a trigger), in this member's name.
        services.moderator_name(staff=request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # The reply speaks for the model's developer, whoever on staff types it.
        for reply in formset.save(commit=False):
            if reply.developer_id is None:
                reply.developer = form.instance.model.developer
            reply.save()
        for reply in formset.deleted_objects:
            reply.delete()

    @admin.action(description="Hide selected reviews", permissions=["change"])
    def hide_reviews(self, request, queryset):
        # Through the service: the reviews' open reports are resolved with them.
        changed = services.reviews_hide(review_ids=queryset.values_list("pk", flat=True), staff=request.user)
        report(self, request, changed, "hidden", ("review", "reviews"), "they were already hidden")

    @admin.action(description="Show selected reviews", permissions=["change"])
    def show_reviews(self, request, queryset):
        changed = queryset.filter(is_hidden=True).update(is_hidden=False)
        report(self, request, changed, "shown", ("review", "reviews"), "they were already visible")


@admin.register(ReviewVote)
class ReviewVoteAdmin(PlatformAdmin):
    """Votes are cast by users; staff can remove one (helpful_votes follows by trigger)."""

    list_display = ("created_at", "review", "user")
    list_select_related = ("review", "user")
    search_fields = ("user__username", "review__review_title")
    date_hierarchy = "created_at"
    readonly_fields = ("review", "user", "created_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReviewReply)
class ReviewReplyAdmin(PlatformAdmin):
    list_display = ("review", "developer", "created_at", "updated_at")
    list_select_related = ("review", "developer")
    search_fields = ("reply_text", "developer__username", "review__review_title")
    date_hierarchy = "created_at"
    autocomplete_fields = ("review",)
    fields = ("review", "developer", "reply_text", "created_at", "updated_at")
    readonly_fields = ("developer", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "review") if obj else fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.developer = obj.review.model.developer
        super().save_model(request, obj, form, change)


class OpenReportFilter(admin.SimpleListFilter):
    """Open reports by default: the moderators' queue."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved"), ("all", "All")]

    def choices(self, changelist):
        # No "All" of Django's own: the default is "open", and "all" is one of the lookups.
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(resolved_at__isnull=True)
        if value == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(ReviewReport)
class ReviewReportAdmin(PlatformAdmin):
    """Users' reports of reviews, open ones first in the list: hide the review (all its open reports are
    resolved with it) or dismiss the report. Reports are written by users; staff only resolve them."""

    list_display = (
        "created_at",
        "reason",
        "review_excerpt",
        "review_author",
        "user",
        "open_reports",
        "review_is_hidden",
        "resolution",
    )
    list_filter = (OpenReportFilter, "reason", "resolution")
    list_select_related = ("review", "review__user", "review__model", "user")
    search_fields = (
        "review__review_title",
        "review__review_text",
        "user__username",
        "review__user__username",
    )
    date_hierarchy = "created_at"
    ordering = ("created_at",)
    fields = (
        "review",
        "review_text",
        "review_author",
        "user",
        "reason",
        "details",
        "created_at",
        "resolution",
        "resolved_at",
        "resolved_by",
    )
    readonly_fields = fields
    actions = ["hide_reviews", "dismiss_reports"]

    def get_queryset(self, request):
        # How many open reports the review has, counted in the list's own query.
        return (
            super()
            .get_queryset(request)
            .annotate(
                review_open_reports=Count("review__reports", filter=Q(review__reports__resolved_at=None))
            )
        )

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Review")
    def review_excerpt(self, obj: ReviewReport) -> str:
        text = f"{obj.review.review_title}: {obj.review.review_text}"
        return Truncator(text).chars(160)

    @admin.display(description="Review text")
    def review_text(self, obj: ReviewReport) -> str:
        return obj.review.review_text

    @admin.display(description="Author", ordering="review__user__username")
    def review_author(self, obj: ReviewReport) -> str:
        return obj.review.user.username

    @admin.display(description="Open reports of the review", ordering="review_open_reports")
    def open_reports(self, obj: ReviewReport) -> int:
        return obj.review_open_reports

    @admin.display(description="Hidden", boolean=True, ordering="review__is_hidden")
    def review_is_hidden(self, obj: ReviewReport) -> bool:
        return obj.review.is_hidden

    @admin.action(description="Hide the reviews of the selected reports", permissions=["change"])
    def hide_reviews(self, request, queryset):
        changed = services.review_reports_hide(
            report_ids=queryset.values_list("pk", flat=True), staff=request.user
        )
        report(self, request, changed, "hidden", ("review", "reviews"), "they were already hidden")

    @admin.action(description="Dismiss the selected reports", permissions=["change"])
    def dismiss_reports(self, request, queryset):
        changed = services.review_reports_dismiss(
            report_ids=queryset.values_list("pk", flat=True), staff=request.user
        )
        report(self, request, changed, "dismissed", ("report", "reports"), "they were already resolved")
