from django.urls import path

from core import theme

app_name = "theme"

urlpatterns = [
    path("", theme.theme_set, name="set"),
]
