from django.urls import path

from accounts.views import email, me

app_name = "me"

urlpatterns = [
    path("", me.profile, name="profile"),
    path("edit/", me.profile_edit, name="profile_edit"),
    path("delete/", me.delete_account, name="delete_account"),
    path("email/", email.email_change, name="email_change"),
    path("email/cancel/", email.email_change_cancel, name="email_change_cancel"),
]
