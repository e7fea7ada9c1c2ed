"""/healthz for load balancers: 200 when PostgreSQL answers, 503 within HEALTHZ_TIMEOUT seconds otherwise.

The probe runs in its own short-lived thread with its own connection, and the view waits for it at most
HEALTHZ_TIMEOUT: a database that is down, unreachable or hanging gives a quick 503, never a worker stuck
for the length of a TCP timeout. A probe still waiting on a dead host ends by itself (connect_timeout).
"""

import threading

import psycopg
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

HEALTHZ_TIMEOUT = 1.5  # seconds; load balancers usually give a probe 2 s
DATABASE_ALIAS = "default"


def _probe(alias: str, result: dict) -> None:
    """A connection of the probe's own, outside the pool: whether PostgreSQL answers, not whether the pool
    has a connection free this instant (a burst of calls can take them all, and the host is still well)."""
    params = {
        name: value
        for name, value in connections[alias].get_connection_params().items()
        if name not in ("context", "cursor_factory", "prepare_threshold")
    }
    try:
        with psycopg.connect(**params) as connection:
            result["ok"] = connection.execute("SELECT 1").fetchone() == (1,)
    except psycopg.Error:
        result["ok"] = False


def database_answers(alias: str = DATABASE_ALIAS, timeout: float = HEALTHZ_TIMEOUT) -> bool:
    result: dict = {}
    probe = threading.Thread(target=_probe, args=(alias, result), name="healthz-probe", daemon=True)
    probe.start()
    probe.join(timeout)
    return result.get("ok", False)


@never_cache
@require_safe
def healthz(request):
    if database_answers():
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
