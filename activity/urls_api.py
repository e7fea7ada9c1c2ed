from django.urls import path, re_path

from activity.api import api_not_found, api_urlpatterns, api_view
from activity.gateway.docs import docs_asset

app_name = "api"

urlpatterns = [
    path("docs/assets/<str:name>", api_view(docs_asset), name="docs-asset"),
    *api_urlpatterns(),
    re_path(r"^.*$", api_not_found, name="not-found"),
]
