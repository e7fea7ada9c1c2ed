from django.urls import path

from activity.views import history, media

app_name = "history"

urlpatterns = [
    path("", history.history_list, name="list"),
    path("export.csv", history.history_export, name="export"),
    path("<uuid:history_id>/", history.history_detail, name="detail"),
    path("<uuid:history_id>/rate/", history.history_rate, name="rate"),
    path("<uuid:history_id>/delete/", history.history_delete, name="delete"),
    path("<uuid:history_id>/media/<uuid:media_id>/", media.history_media, name="media"),
]
