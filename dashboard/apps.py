from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The developer dashboard: listings, usage, logs and reviews of one developer's models, composed from
    the catalog, activity and reviews apps."""

    name = "dashboard"
    default_auto_field = "django.db.models.BigAutoField"
