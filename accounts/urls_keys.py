from django.urls import path

from accounts.views import keys

app_name = "keys"

urlpatterns = [
    path("", keys.key_list, name="list"),
    path("new/", keys.key_create, name="create"),
    path("<uuid:key_id>/revoke/", keys.key_revoke, name="revoke"),
    path("<uuid:key_id>/limits/", keys.key_limits, name="limits"),
]
