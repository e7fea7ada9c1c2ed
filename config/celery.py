"""The task queue's Celery app: `celery -A config worker` and `celery -A config beat` (the Procfile).

Every CELERY_* setting in config/settings.py configures it. Tasks live in each app's tasks.py and are
declared with @shared_task, so no app imports this module (it sits in the top layer).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("amp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
