"""gunicorn's settings for the web process (the Procfile's `web:` line). Each can be set in the environment:
PORT, WEB_CONCURRENCY (processes; one per core by default), KEEPALIVE_SECONDS, UPSTREAM_READ_TIMEOUT and
UPSTREAM_CONNECT_TIMEOUT (which set how long a clean stop waits, see core/server.py)."""

import os

from core.server import graceful_seconds

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)
worker_class = "core.server.Worker"
# API clients keep their connection between calls; a load balancer's idle timeout should be longer.
keepalive = int(os.environ.get("KEEPALIVE_SECONDS", "20"))
# A worker stops within graceful_seconds() (core.server); this leaves it 10 s more before it is killed.
graceful_timeout = int(graceful_seconds()) + 10
accesslog = os.environ.get("ACCESS_LOG", "-") or None
# X-Forwarded-For is read by the site itself (TRUSTED_PROXY_COUNT), not by the server.
forwarded_allow_ips = ""
# gunicorn's runtime control socket lives at one path per user (~/.gunicorn/gunicorn.ctl), shared by every
# instance on the host; nothing here uses it.
control_socket_disable = True
