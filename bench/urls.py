from django.urls import path

from bench import views

app_name = "bench"

urlpatterns = [
    path("bare", views.bare, name="bare"),
]
