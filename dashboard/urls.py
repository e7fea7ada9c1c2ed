from django.urls import path

from dashboard.views import earnings, logs, models, overview, reviews

app_name = "dashboard"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("models/", models.model_list, name="models"),
    path("models/new/", models.model_create, name="model_create"),
    path("models/new/check/", models.api_name_check, name="api_name_check"),
    path("markdown-preview/", models.description_preview, name="description_preview"),
    path("models/<slug:api_name>/", models.model_detail, name="model_detail"),
    path("models/<slug:api_name>/edit/", models.model_edit, name="model_edit"),
    path("models/<slug:api_name>/deactivate/", models.model_deactivate, name="model_deactivate"),
    path("models/<slug:api_name>/reactivate/", models.model_reactivate, name="model_reactivate"),
    path("models/<slug:api_name>/deprecate/", models.model_deprecate, name="model_deprecate"),
    path("models/<slug:api_name>/undeprecate/", models.model_undeprecate, name="model_undeprecate"),
    path("models/<slug:api_name>/delete/", models.model_delete, name="model_delete"),
    path("models/<slug:api_name>/rotate-key/", models.model_key_rotate, name="model_key_rotate"),
    path("logs/", logs.log_list, name="logs"),
    path("logs/export.csv", logs.log_export, name="logs_export"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("earnings/", earnings.earnings, name="earnings"),
    path("earnings/export.csv", earnings.earnings_export, name="earnings_export"),
]
