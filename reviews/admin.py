"""Review moderation: hide and show reviews; a hidden review stops counting in the model's rating."""

from django.contrib import admin

from core.admin import PlatformAdmin, report
from reviews.models import ModelReview, ReviewReply, ReviewVote


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
        changed = queryset.filter(is_hidden=False).update(is_hidden=True)
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
