"""Staff moderation of model listings: approve, reject, deprecate; keys are issued, never typed."""

from django.contrib import admin, messages

from accounts.admin import DeveloperAdmin
from accounts.models import Developer
from catalog import services
from catalog.models import AIModel, DeveloperDashboardStats, ModelStatus, PublicModel
from core.admin import PlatformAdmin, ReadOnlyAdmin, report

FIGURES = ("total_requests", "total_users", "average_rating", "rating_count", "rating_sum")


class DeveloperStatusFilter(admin.ChoicesFieldListFilter):
    """The developer's status, titled so it is not confused with the model's own status filter."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "developer status"


@admin.register(AIModel)
class AIModelAdmin(PlatformAdmin):
    list_display = (
        "display_name",
        "api_name",
        "developer",
        "category",
        "status",
        "is_public",
        "price_per_request",
        "total_requests",
        "total_users",
        "average_rating",
        "rating_count",
        "created_at",
    )
    list_filter = ("status", "category", "is_public", ("developer__status", DeveloperStatusFilter))
    list_select_related = ("developer",)
    search_fields = ("display_name", "model_name", "api_name", "developer__username")
    search_help_text = "Name, API name, developer username, or one exact tag."
    date_hierarchy = "created_at"
    autocomplete_fields = ("developer",)
    # A deprecation's notice is the developer's to set (the dashboard tells the model's users); staff see it.
    DEPRECATION = ("deprecated_at", "sunset_at", "replacement", "deprecation_note")
    readonly_fields = ("api_key_prefix", "api_key", *FIGURES, *DEPRECATION, "created_at", "updated_at")
    listing_fieldsets = (
        (
            None,
            {
                "fields": (
                    "developer",
                    "display_name",
                    "model_name",
                    "api_name",
                    "description",
                    "category",
                    "tags",
                )
            },
        ),
        ("Serving", {"fields": ("status", "is_public", "endpoint_url", "price_per_request")}),
    )
    actions = ["approve_models", "reject_models", "deprecate_models"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.listing_fieldsets
        return (
            *self.listing_fieldsets,
            ("Deprecation", {"fields": self.DEPRECATION}),
            ("API key", {"fields": ("api_key_prefix", "api_key")}),
            ("Figures", {"fields": FIGURES}),
            ("Dates", {"fields": ("created_at", "updated_at")}),
        )

    def get_search_results(self, request, queryset, search_term):
        unsearched = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lower()
        if term and " " not in term:
            queryset |= unsearched.filter(tags__contains=[term])
        return queryset, may_have_duplicates

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new listing gets its key from the same service as the developer dashboard: only the hash is
        # stored, and staff see the plain key once, here, to pass on to the developer.
        listing = {name: value for name, value in form.cleaned_data.items() if name != "developer"}
        created, key = services.model_create(developer=obj.developer, model_id=obj.model_id, **listing)
        obj.api_key, obj.api_key_prefix = created.api_key, created.api_key_prefix
        obj._state.adding, obj._state.db = False, created._state.db
        self.message_user(
            request,
            f"API key for {created.api_name}: {key} — copy it now and hand it to the developer; "
            "it is not shown again.",
            messages.WARNING,
        )

    @admin.action(
        description="Approve selected models (make them active; developers are mailed)",
        permissions=["change"],
    )
    def approve_models(self, request, queryset):
        changed = services.models_decide(models=queryset, decision="approve")
        report(self, request, changed, "approved", ("model", "models"), "they were already active")

    @admin.action(
        description="Reject selected models (back to inactive; developers are mailed)", permissions=["change"]
    )
    def reject_models(self, request, queryset):
        changed = services.models_decide(models=queryset, decision="reject")
        report(self, request, changed, "rejected", ("model", "models"), "they were already inactive")

    @admin.action(description="Deprecate selected models", permissions=["change"])
    def deprecate_models(self, request, queryset):
        changed = queryset.exclude(status=ModelStatus.DEPRECATED).update(status=ModelStatus.DEPRECATED)
        report(self, request, changed, "deprecated", ("model", "models"), "they were already deprecated")


@admin.register(PublicModel)
class PublicModelAdmin(ReadOnlyAdmin):
    """The public_models_view: what the catalog shows right now."""

    list_display = (
        "display_name",
        "api_name",
        "developer_username",
        "category",
        "price_per_request",
        "average_rating",
        "rating_count",
        "total_requests",
        "total_users",
        "created_at",
    )
    list_filter = ("category",)
    search_fields = ("display_name", "api_name", "developer_username", "company_name")
    date_hierarchy = "created_at"


@admin.register(DeveloperDashboardStats)
class DeveloperDashboardStatsAdmin(ReadOnlyAdmin):
    """The developer_dashboard_stats view: one row per developer."""

    list_display = (
        "username",
        "total_models",
        "active_models",
        "total_requests",
        "total_users",
        "average_rating",
        "total_revenue",
        "calls_this_month",
        "api_quota",
    )
    search_fields = ("username",)
    ordering = ("username",)


class DeveloperModelsInline(admin.TabularInline):
    """The developer's listings at a glance; each links to its own page, where keys are handled."""

    model = AIModel
    fields = (
        "display_name",
        "api_name",
        "category",
        "status",
        "is_public",
        "total_requests",
        "average_rating",
    )
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


# The developer's page lists their models; accounts cannot know about listings, so catalog adds them here.
admin.site.unregister(Developer)


@admin.register(Developer)
class DeveloperWithModelsAdmin(DeveloperAdmin):
    inlines = [*DeveloperAdmin.inlines, DeveloperModelsInline]
