"""The ASGI application the Procfile's web process serves (gunicorn with core.server.Worker)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from core.asgi import get_asgi_application  # noqa: E402  (settings first)

application = get_asgi_application()
