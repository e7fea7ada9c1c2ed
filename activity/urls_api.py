from django.urls import path, re_path

from activity.api import api, api_not_found
from activity.gateway.docs import docs_asset

app_name = "api"

urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="docs-asset"),
    *api.urls[0],
    re_path(r"^.*$", api_not_found, name="not-found"),
]
