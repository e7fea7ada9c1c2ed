from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from activity.api import api_not_found
from core import health

admin.site.site_header = "AI Model Platform staff"
admin.site.site_title = "AI Model Platform staff"
admin.site.index_title = "Moderation"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("activity.urls_api")),
    # Other versions, /api itself: the API's JSON 404 for any method, never the site's HTML page.
    re_path(r"^api(?:/|$)", api_not_found, name="api-not-found"),
    path("accounts/", include("accounts.urls")),
    path("me/keys/", include("accounts.urls_keys")),
    path("me/history/", include("activity.urls_history")),
    path("me/activity/", include("activity.urls_spending")),
    path("", include("favourites.urls")),  # /me/likes/, /collections/…, a model's like and collect
    path("me/", include("accounts.urls_me")),
    path("developers/apply/", include("accounts.urls_apply")),
    path("dashboard/", include("dashboard.urls")),
    path("playground/", include("activity.urls_playground")),
    path("theme/", include("core.urls_theme")),
    path("docs/", include("activity.urls_docs")),
    path("", include("reviews.urls")),
    path("", include("catalog.urls")),
]

if settings.BENCH_ENDPOINTS:
    urlpatterns.insert(0, path("__bench__/", include("bench.urls")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
