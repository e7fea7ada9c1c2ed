"""The embedded PostgreSQL used when DATABASE_URL is unset.

pgserver ships PostgreSQL binaries on PyPI, so a laptop with nothing but Python gets a real PostgreSQL
(arrays, full-text search, triggers) with no root step. The server is started once, keeps running after
the process that started it exits (cleanup_mode=None), and every later process — the site, the demo
upstream, the tests — connects to the same server over its Unix socket.
"""

import logging
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def embedded_database(base_dir: Path) -> dict:
    # pgserver logs its bookkeeping at exit, after test runners have closed their streams.
    pg_logger = logging.getLogger("pgserver")
    pg_logger.propagate = False
    pg_logger.addHandler(logging.NullHandler())

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI) and falls back to /tmp.
        warnings.simplefilter("ignore")
        import pgserver

        pgdata = base_dir / ".data" / "pg"
        pgdata.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(pgdata, cleanup_mode=None)

    uri = urlparse(server.get_uri())
    query = parse_qs(uri.query)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": uri.path.lstrip("/") or "postgres",
        "USER": uri.username or "postgres",
        "PASSWORD": uri.password or "",
        "HOST": query.get("host", [uri.hostname or ""])[0],
        "PORT": str(uri.port or ""),
    }
