from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`) and the demo upstream (`manage.py demo_upstream`) that serves its
    models offline, so `make run` shows a working marketplace on a machine with no network."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
