from django.urls import path

from activity.views import playground

app_name = "playground"

urlpatterns = [
    path("<slug:api_name>/", playground.playground_run, name="run"),
    path("<slug:api_name>/stream", playground.playground_stream_run, name="stream"),
]
