from django.urls import path

from activity.views import spending

app_name = "spending"

urlpatterns = [
    path("", spending.activity_overview, name="overview"),
    path("export.csv", spending.activity_export, name="export"),
]
