"""/healthz for load balancers: 200 when PostgreSQL answers, 503 within HEALTHZ_TIMEOUT seconds otherwise.

The probe runs in its own short-lived thread with its own connection, and the view waits for it at most
HEALTHZ_TIMEOUT: a database that is down, unreachable or hanging gives a quick 503, never a worker stuck
for the length of a TCP timeout. A probe still waiting on a dead host ends by itself (connect_timeout).
"""

import threading

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

HEALTHZ_TIMEOUT = 1.5  # seconds; load balancers usually give a probe 2 s
DATABASE_ALIAS = "default"


def _probe(alias: str, result: dict) -> None:
    connection = connections[alias]  # this thread's own connection
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            result["ok"] = cursor.fetchone() == (1,)
    except DatabaseError:
        result["ok"] = False
    finally:
        connection.close()


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
