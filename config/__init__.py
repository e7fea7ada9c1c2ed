# The Celery app is loaded with Django, so @shared_task functions bind to it and tasks sent from the site
# use its settings (a broker, or running in the process with none).
from config.celery import app as celery_app

__all__ = ("celery_app",)
