from django.urls import path

from catalog.views import dashboard_logs, dashboard_models, dashboard_overview, dashboard_reviews

app_name = "dashboard"

urlpatterns = [
    path("", dashboard_overview.overview, name="overview"),
    path("models/", dashboard_models.model_list, name="models"),
    path("models/new/", dashboard_models.model_create, name="model_create"),
    path("models/new/check/", dashboard_models.api_name_check, name="api_name_check"),
    path("models/<slug:api_name>/", dashboard_models.model_detail, name="model_detail"),
    path("models/<slug:api_name>/edit/", dashboard_models.model_edit, name="model_edit"),
    path("models/<slug:api_name>/deactivate/", dashboard_models.model_deactivate, name="model_deactivate"),
    path("models/<slug:api_name>/reactivate/", dashboard_models.model_reactivate, name="model_reactivate"),
    path("models/<slug:api_name>/deprecate/", dashboard_models.model_deprecate, name="model_deprecate"),
    path("models/<slug:api_name>/delete/", dashboard_models.model_delete, name="model_delete"),
    path("models/<slug:api_name>/rotate-key/", dashboard_models.model_key_rotate, name="model_key_rotate"),
    path("logs/", dashboard_logs.log_list, name="logs"),
    path("logs/export.csv", dashboard_logs.log_export, name="logs_export"),
    path("reviews/", dashboard_reviews.review_list, name="reviews"),
]
