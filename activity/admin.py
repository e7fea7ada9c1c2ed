"""Read-only views of what the gateway and the triggers write: calls, history and their rollups."""

from django.contrib import admin

from activity import rollups
from activity.models import (
    ApiUsageLog,
    DeveloperMonthlyUsage,
    ModelDailyStats,
    ModelUser,
    UserActivitySummary,
    UserHistory,
)
from core.admin import ReadOnlyAdmin


@admin.register(UserHistory)
class UserHistoryAdmin(ReadOnlyAdmin):
    list_display = (
        "request_timestamp",
        "user",
        "model",
        "status",
        "response_time_ms",
        "cost_incurred",
        "user_rating",
        "session_id",
    )
    list_filter = ("status", "user_rating", "model__category")
    list_select_related = ("user", "model")
    search_fields = ("user__username", "model__api_name", "=session_id")
    search_help_text = "Username, model API name, or an exact session id."
    date_hierarchy = "request_timestamp"

    def has_delete_permission(self, request, obj=None):
        # Removing someone's history (on request, say) is a superuser's decision; nobody edits it.
        return request.user.is_superuser


class ResponseClassFilter(admin.SimpleListFilter):
    title = "response"
    parameter_name = "response"
    ranges = {"2xx": (200, 299), "4xx": (400, 499), "5xx": (500, 599)}

    def lookups(self, request, model_admin):
        return [("2xx", "2xx success"), ("4xx", "4xx refused"), ("5xx", "5xx upstream error")]

    def queryset(self, request, queryset):
        if self.value() in self.ranges:
            return queryset.filter(response_code__range=self.ranges[self.value()])
        return queryset


@admin.register(ApiUsageLog)
class ApiUsageLogAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "model",
        "response_code",
        "request_method",
        "api_key_used",
        "user",
        "developer",
        "processing_time_ms",
        "request_size",
        "response_size",
    )
    list_filter = (ResponseClassFilter, "response_code", "request_method")
    list_select_related = ("model", "user", "developer")
    search_fields = ("model__api_name", "api_key_used", "user__username", "developer__username")
    date_hierarchy = "created_at"


@admin.register(ModelUser)
class ModelUserAdmin(ReadOnlyAdmin):
    list_display = ("model", "user", "interactions")
    list_select_related = ("model", "user")
    search_fields = ("model__api_name", "user__username")
    ordering = ("-interactions",)


@admin.register(DeveloperMonthlyUsage)
class DeveloperMonthlyUsageAdmin(ReadOnlyAdmin):
    list_display = ("month", "developer", "calls", "quota", "quota_used")
    list_select_related = ("developer",)
    search_fields = ("developer__username",)
    date_hierarchy = "month"
    ordering = ("-month", "developer__username")

    @admin.display(description="Quota")
    def quota(self, usage: DeveloperMonthlyUsage) -> int:
        return usage.developer.api_quota

    @admin.display(description="Used")
    def quota_used(self, usage: DeveloperMonthlyUsage) -> str:
        quota = usage.developer.api_quota
        return f"{usage.calls / quota:.0%}" if quota else "—"


@admin.register(ModelDailyStats)
class ModelDailyStatsAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "model",
        "calls",
        "successes",
        "refused",
        "server_errors",
        "mean_latency",
        "p95_latency",
        "interactions",
        "revenue",
    )
    list_filter = ("model__category",)
    list_select_related = ("model",)
    search_fields = ("model__api_name",)
    date_hierarchy = "day"
    ordering = ("-day", "model__display_name")

    @admin.display(description="Mean ms")
    def mean_latency(self, stats: ModelDailyStats) -> str:
        return f"{stats.processing_ms_total / stats.calls:.0f}" if stats.calls else "—"

    @admin.display(description="p95 ms")
    def p95_latency(self, stats: ModelDailyStats) -> str:
        value = rollups.percentile_ms(stats.latency_buckets, 0.95)
        return "—" if value is None else f"≤ {value:.0f}"


@admin.register(UserActivitySummary)
class UserActivitySummaryAdmin(ReadOnlyAdmin):
    """The user_activity_summary view: one row per user."""

    list_display = (
        "username",
        "total_interactions",
        "distinct_models",
        "total_cost",
        "avg_response_time_ms",
        "last_activity_at",
        "reviews_written",
    )
    search_fields = ("username",)
    ordering = ("-total_interactions", "username")
