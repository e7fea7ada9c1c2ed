"""For tests that start the site in another process: the address of this test's database, and the web
process as the Procfile starts it (gunicorn with uvicorn workers), on a free port, against that database."""

import http.client
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent


def database_url() -> str:
    """DATABASE_URL for the database this test uses (the test database, on the server the suite uses,
    embedded or not), so that another process sees what the test wrote."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    user = f"{quote(db['USER'], safe='')}{password}"
    if host.startswith("/"):  # a socket directory (the embedded database): django-environ reads it as ?host=
        return f"postgres://{user}@{port}/{db['NAME']}?host={quote(host)}"
    return f"postgres://{user}@{host}{port}/{db['NAME']}"


def web_command() -> list[str]:
    """The Procfile's web: line, its programs taken from this virtualenv."""
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == "web":
            argv = shlex.split(command)
            program = VENV_BIN / argv[0]
            return [str(program) if program.exists() else argv[0], *argv[1:]]
    raise AssertionError("The Procfile has no web: line")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class WebServer:
    process: subprocess.Popen
    port: int
    log: Path

    def connection(self, timeout: float = 10) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def get(self, path: str) -> tuple[int, float]:
        """The status of a GET on a new connection, and its time in milliseconds."""
        started = time.perf_counter()
        conn = self.connection()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            return response.status, (time.perf_counter() - started) * 1000
        finally:
            conn.close()


@contextmanager
def web_server(tmp_path: Path, **env: str) -> Iterator[WebServer]:
    port = free_port()
    log = tmp_path / "web.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            web_command(), cwd=BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    server = WebServer(process=process, port=port, log=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"The web process exited:\n{log.read_text()[-3000:]}")
            try:
                if server.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"The web process did not answer /healthz:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
