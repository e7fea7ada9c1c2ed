from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("models/<slug:api_name>/reviews/new/", views.review_create, name="create"),
    path("models/<slug:api_name>/reviews/<uuid:review_id>/edit/", views.review_edit, name="edit"),
    path("models/<slug:api_name>/reviews/<uuid:review_id>/delete/", views.review_delete, name="delete"),
    path("models/<slug:api_name>/reviews/<uuid:review_id>/helpful/", views.review_vote, name="vote"),
    path("models/<slug:api_name>/reviews/<uuid:review_id>/reply/", views.reply_edit, name="reply"),
    path("models/<slug:api_name>/reviews/<uuid:review_id>/report/", views.review_report, name="report"),
]
