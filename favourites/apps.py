from django.apps import AppConfig


class FavouritesConfig(AppConfig):
    name = "favourites"
    verbose_name = "Likes and collections"
    default_auto_field = "django.db.models.BigAutoField"
