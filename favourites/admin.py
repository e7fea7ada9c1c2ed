"""Staff see users' collections and may take a public one down (make it private) or delete it."""

from django.contrib import admin

from core.admin import PlatformAdmin, report
from favourites.models import Collection, CollectionModel


class CollectionModelInline(admin.TabularInline):
    model = CollectionModel
    fields = ("model", "position", "note")
    autocomplete_fields = ("model",)
    extra = 0


@admin.register(Collection)
class CollectionAdmin(PlatformAdmin):
    list_display = ("title", "user", "is_public", "created_at", "updated_at")
    list_filter = ("is_public",)
    list_select_related = ("user",)
    search_fields = ("title", "note", "user__username")
    autocomplete_fields = ("user",)
    fields = ("user", "title", "note", "is_public", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    inlines = [CollectionModelInline]
    actions = ["make_private"]

    @admin.action(description="Make private (take off the public list)")
    def make_private(self, request, queryset):
        count = queryset.filter(is_public=True).update(is_public=False)
        report(self, request, count, "made private", ("collection", "collections"), "they were private")
