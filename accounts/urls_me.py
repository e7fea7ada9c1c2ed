from django.urls import path

from accounts.views import me

app_name = "me"

urlpatterns = [
    path("", me.profile, name="profile"),
    path("edit/", me.profile_edit, name="profile_edit"),
    path("delete/", me.delete_account, name="delete_account"),
]
