"""A PostgreSQL primary and a streaming standby in a scratch folder, started with PostgreSQL's own tools.

    with streaming_pair() as pair:
        pair.primary.url("amp"), pair.standby.url("amp")   # DATABASE_URL, DATABASE_REPLICA_URLS
        pair.pause_replay() … pair.resume_replay(); pair.wait_replayed()

initdb makes the primary (wal_level=replica, replication allowed without a password from 127.0.0.1 only),
pg_ctl starts it on a free port of PORTS, pg_basebackup -R copies it into the standby's folder (which then
follows the primary by streaming replication) and pg_ctl starts the standby. Both are stopped (pg_ctl stop
-m fast) and their folder removed on exit. Used by tests/test_read_replicas.py and bench/two_hosts.py.

The binaries are found in PG_BINDIR (when set, only there), or else `pg_config --bindir`,
/usr/lib/postgresql/<newest>/bin, or the embedded PostgreSQL's (pgserver), in that order. PostgreSQL refuses to run as root: as root, every tool runs
as the `postgres` user (runuser), which then owns the scratch folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg

PORTS = range(55432, 55440)
TOOLS = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
SERVER_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 5
wal_keep_size = '128MB'
hot_standby = on
hot_standby_feedback = on
max_connections = 100
shared_buffers = '64MB'
fsync = off
full_page_writes = off
logging_collector = off
"""


class ToolsMissing(Exception):
    """PostgreSQL's server binaries (or a way to run them as a user other than root) are not here."""


def _candidates() -> Iterator[Path]:
    if os.environ.get("PG_BINDIR"):  # when set, the only place looked at
        yield Path(os.environ["PG_BINDIR"])
        return
    if shutil.which("pg_config"):
        with suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
            yield Path(done.stdout.strip())
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    yield from versions
    with suppress(ImportError):
        import pgserver

        yield Path(pgserver.__file__).parent / "pginstall" / "bin"


def find_bindir() -> Path:
    """The first folder holding initdb, pg_ctl, pg_basebackup and postgres, or ToolsMissing."""
    for bindir in _candidates():
        if all((bindir / tool).is_file() for tool in TOOLS):
            if os.geteuid() == 0:
                if not shutil.which("runuser"):
                    raise ToolsMissing(
                        "running as root, runuser (to run PostgreSQL as `postgres`) is missing"
                    )
                try:
                    pwd.getpwnam("postgres")
                except KeyError:
                    raise ToolsMissing(
                        "running as root, there is no `postgres` user to run PostgreSQL as"
                    ) from None
            return bindir
    raise ToolsMissing(f"no folder holds PostgreSQL's {', '.join(TOOLS)} (set PG_BINDIR)")


def free_ports(count: int, ports: Iterable[int] = PORTS) -> list[int]:
    """`count` ports of `ports` on which nothing listens on 127.0.0.1."""
    found = []
    for port in ports:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise ToolsMissing(f"fewer than {count} free ports in {ports}")


@dataclass
class Server:
    name: str
    datadir: Path
    port: int
    log: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        )

    def query(self, sql: str, params: tuple = (), database: str = "postgres") -> list[tuple]:
        """The rows of one statement, in a connection of its own (autocommit)."""
        with self.connect(database) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def value(self, sql: str, params: tuple = (), database: str = "postgres"):
        return self.query(sql, params, database)[0][0]


class StreamingPair:
    def __init__(self, root: Path, bindir: Path, ports: list[int]):
        self.root = root
        self.bindir = bindir
        self.primary = Server("primary", root / "primary", ports[0], root / "primary.log")
        self.standby = Server("standby", root / "standby", ports[1], root / "standby.log")
        self.as_postgres = os.geteuid() == 0

    # --- running the tools ------------------------------------------------------------------------------
    def run(self, tool: str, *args: str, timeout: float = 120) -> None:
        argv = [str(self.bindir / tool), *args]
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(
                f"{tool} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            )

    def _configure(self, server: Server) -> None:
        with (server.datadir / "postgresql.conf").open("a") as conf:
            conf.write(SERVER_SETTINGS.format(port=server.port, sockets=self.root))

    def _start(self, server: Server) -> None:
        self.run("pg_ctl", "start", "-w", "-t", "60", "-D", str(server.datadir), "-l", str(server.log))

    def _stop(self, server: Server) -> None:
        if (server.datadir / "postmaster.pid").exists():
            with suppress(RuntimeError, subprocess.SubprocessError):
                self.run("pg_ctl", "stop", "-m", "fast", "-w", "-t", "60", "-D", str(server.datadir))

    # --- the pair ---------------------------------------------------------------------------------------
    def start(self) -> None:
        primary, standby = self.primary, self.standby
        self.run(
            "initdb",
            "-D",
            str(primary.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self._configure(primary)
        with (primary.datadir / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        self._start(primary)
        self.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(standby.datadir), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self._configure(standby)  # the copy's settings name the primary's port: a later line wins
        self._start(standby)
        self.wait_streaming()

    def stop(self) -> None:
        self._stop(self.standby)
        self._stop(self.primary)

    def stop_standby(self) -> None:
        self._stop(self.standby)

    def start_standby(self) -> None:
        self._start(self.standby)
        self.wait_streaming()

    def wait_streaming(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with suppress(psycopg.Error):
                in_recovery = self.standby.value("SELECT pg_is_in_recovery()")
                states = [row[0] for row in self.primary.query("SELECT state FROM pg_stat_replication")]
                if in_recovery and "streaming" in states:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"The standby is not streaming:\n{self.standby.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def wait_replayed(self, timeout: float = 60) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        target = self.primary.value("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        while not self.standby.value("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"The standby did not replay up to {target}")
            time.sleep(0.05)

    def pause_replay(self) -> None:
        """Stop applying the primary's changes on the standby (it goes on receiving them)."""
        self.standby.query("SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + 30
        while self.standby.value("SELECT pg_get_wal_replay_pause_state()") != "paused":
            if time.monotonic() > deadline:
                raise RuntimeError("The standby's replay did not pause")
            time.sleep(0.05)

    def resume_replay(self) -> None:
        self.standby.query("SELECT pg_wal_replay_resume()")

    def create_database(self, name: str) -> None:
        """A database on the primary, waited for until the standby has it too."""
        self.primary.query(f'CREATE DATABASE "{name}"')
        self.wait_replayed()


@contextmanager
def streaming_pair(parent: str | None = None) -> Iterator[StreamingPair]:
    """A started primary and standby in a scratch folder under `parent` (the system's temporary folder),
    stopped and removed on exit. Raises ToolsMissing where the binaries are not here."""
    bindir = find_bindir()
    ports = free_ports(2)
    root = Path(tempfile.mkdtemp(prefix="amp-pgpair-", dir=parent))
    pair = StreamingPair(root, bindir, ports)
    try:
        if pair.as_postgres:
            shutil.chown(root, user="postgres", group="postgres")
        pair.start()
        yield pair
    finally:
        pair.stop()
        shutil.rmtree(root, ignore_errors=True)
