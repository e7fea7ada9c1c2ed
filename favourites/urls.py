from django.urls import path

from favourites import views

app_name = "favourites"

urlpatterns = [
    path("models/<slug:api_name>/like/", views.like, name="like"),
    path("models/<slug:api_name>/collect/", views.collect, name="collect"),
    path("me/likes/", views.my_likes, name="my_likes"),
    path("collections/", views.collection_list, name="collection_list"),
    path("collections/new/", views.collection_create, name="collection_create"),
    path("collections/<uuid:collection_id>/", views.collection_detail, name="collection_detail"),
    path("collections/<uuid:collection_id>/edit/", views.collection_edit, name="collection_edit"),
    path("collections/<uuid:collection_id>/delete/", views.collection_delete, name="collection_delete"),
    path("collections/<uuid:collection_id>/items/<uuid:item_id>/move/", views.item_move, name="item_move"),
    path(
        "collections/<uuid:collection_id>/items/<uuid:item_id>/remove/",
        views.item_remove,
        name="item_remove",
    ),
    path("collections/<uuid:collection_id>/items/<uuid:item_id>/note/", views.item_note, name="item_note"),
]
