from django.urls import path

from accounts.views import email, me, notifications

app_name = "me"

urlpatterns = [
    path("", me.profile, name="profile"),
    path("edit/", me.profile_edit, name="profile_edit"),
    path("delete/", me.delete_account, name="delete_account"),
    path("notifications/", notifications.inbox, name="notifications"),
    path("notifications/read/", notifications.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/settings/", notifications.notification_settings, name="notification_settings"),
    path(
        "notifications/<uuid:notification_id>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path("email/", email.email_change, name="email_change"),
    path("email/cancel/", email.email_change_cancel, name="email_change_cancel"),
]
