from django.urls import path

from accounts.views import apply

app_name = "apply"

urlpatterns = [
    path("", apply.apply, name="apply"),
]
