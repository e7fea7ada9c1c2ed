from django.urls import path

from activity.views import docs

app_name = "docs"

urlpatterns = [
    path("", docs.index, name="index"),
    path("quickstart/", docs.quickstart, name="quickstart"),
    path("errors/", docs.errors, name="errors"),
    path("limits/", docs.limits, name="limits"),
    path("upstream/", docs.upstream, name="upstream"),
]
