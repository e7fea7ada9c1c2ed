"""The web process's worker: uvicorn's, under gunicorn, serving config.asgi (see gunicorn.conf.py).

httptools parses HTTP and uvloop runs the event loop. On SIGTERM a worker stops accepting connections,
closes idle keep-alive ones, and lets the requests in flight finish for up to GRACEFUL_SECONDS; a streamed
answer still open then is cancelled, which closes its upstream and records the call as cancelled (see
activity.gateway.streaming). gunicorn's own graceful_timeout is longer, so that this always happens before
the worker could be killed.
"""

import asyncio
import os
import socket
import sys

from gunicorn.arbiter import Arbiter
from uvicorn import Server
from uvicorn_worker import UvicornWorker


def graceful_seconds() -> float:
    """Long enough for a call waiting on a slow upstream to get its answer, or its timeout, and be
    recorded: the upstream's connect and read timeouts, and 5 s to spare."""
    connect = float(os.environ.get("UPSTREAM_CONNECT_TIMEOUT", "2"))
    read = float(os.environ.get("UPSTREAM_READ_TIMEOUT", "30"))
    return float(os.environ.get("GRACEFUL_SECONDS", connect + read + 5))


class DrainingServer(Server):
    """uvicorn's server, waiting at the end of a stop for the requests it cancelled: a cancelled stream
    records its call as it ends (core.asgi), and uvicorn would otherwise exit without waiting for that."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        cancelled = [task for task in self.server_state.tasks if not task.done()]
        if cancelled:
            await asyncio.wait(cancelled, timeout=10)


class Worker(UvicornWorker):
    CONFIG_KWARGS = {
        "loop": "uvloop",
        "http": "httptools",
        # Django has no lifespan handler; "auto" would log that it failed on every start.
        "lifespan": "off",
        "timeout_graceful_shutdown": graceful_seconds(),
    }

    async def _serve(self) -> None:
        # UvicornWorker._serve, with the server above.
        self.config.app = self.wsgi
        server = DrainingServer(config=self.config)
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
