"""The task queue with a broker: real `celery -A config worker` processes against the Redis on 127.0.0.1:6379
(database 10, emptied before and after), the test database, and a small SMTP server this module runs, so
that what a worker sends is seen where it arrives.

- A sign-up in one process is mailed by a worker in another, through Redis.
- A worker killed (SIGKILL, the whole process group) while it is sending a mail leaves the message
  unacknowledged; once the visibility timeout passes, a new worker runs the task again and the mail
  arrives once. The same message delivered again sends nothing.
- Every job beat schedules names a task the worker knows.

Skipped with a message where no Redis answers; failed instead where REQUIRE_REDIS is set (CI)."""

import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import SentMail, User
from config import celery_app
from tests.processes import database_url

ROOT = Path(__file__).resolve().parent.parent
# Database 10 of the machine's Redis, and 11 for the second process of `pytest -n 2`, so that two runs at
# once never take each other's tasks (each one's worker writes to its own test database).
XDIST_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", f"redis://127.0.0.1:6379/{10 + XDIST_INDEX}")
# Seconds before a message taken by a worker that vanished is handed to another (CELERY_VISIBILITY_TIMEOUT).
VISIBILITY_TIMEOUT = 4
WAIT = 60


def redis_answers() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.fixture
def broker_url() -> Iterator[str]:
    if not redis_answers():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("Redis is required (REQUIRE_REDIS) but nothing answers on 127.0.0.1:6379.")
        pytest.skip("The task queue's tests need a Redis server on 127.0.0.1:6379.")
    if XDIST_INDEX > 1 and "TEST_CELERY_BROKER_URL" not in os.environ:
        pytest.skip("The task queue's tests have Redis databases 10 and 11: run them with -n 2 at most.")
    import redis

    client = redis.Redis.from_url(BROKER_URL)
    client.flushdb()
    yield BROKER_URL
    client.flushdb()
    client.close()


class SMTPServer(socketserver.ThreadingTCPServer):
    """Enough SMTP for Django's backend. With hold_first, the first connection gets no greeting until
    `release` is set: a worker sending through it is stopped in the middle of its task."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, hold_first: bool = False):
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.hold_first = hold_first
        self.connections = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.server_address[1]}"


class SMTPHandler(socketserver.StreamRequestHandler):
    server: SMTPServer

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
            first = self.server.connections == 1
        if first and self.server.hold_first:
            self.server.held.set()
            self.server.release.wait(WAIT)
            return
        self.reply("220 test SMTP")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test")
            elif command == "DATA":
                self.reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                with self.server.lock:
                    self.server.messages.append(message_from_bytes(data))
                self.reply("250 kept")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self.reply("250 ok")


@pytest.fixture
def smtp_server(request) -> Iterator[SMTPServer]:
    server = SMTPServer(hold_first=getattr(request, "param", False))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def procfile_command(process: str) -> str:
    """The command the Procfile gives `process` (worker:, beat:)."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name == process:
            return command.strip()
    raise AssertionError(f"The Procfile has no {process}: line.")


def wait_for(condition: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout} s waiting for {what}.")
        time.sleep(0.2)


class Workers:
    """Starts `celery -A config worker` processes, each in a process group of its own, and ends them."""

    def __init__(self, env: dict[str, str], folder: Path):
        self.env, self.folder, self.started = env, folder, []

    def start(self, name: str) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        # The Procfile's own worker: line, with one task process and a name to tell the workers apart.
        command = f"exec {procfile_command('worker')} --without-heartbeat --hostname={name}@%h"
        process = subprocess.Popen(
            ["sh", "-c", command],
            cwd=ROOT,
            env={**self.env, "CELERY_CONCURRENCY": "1"},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log = log  # type: ignore[attr-defined]
        self.started.append(process)
        wait_for(
            lambda: b"ready." in log.read_bytes() or process.poll() is not None, f"worker {name} to start"
        )
        assert process.poll() is None, log.read_text()[-3000:]
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL to the worker and its pool processes at once: no shutdown, no acknowledgement."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=WAIT)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@pytest.fixture
def queue_env(smtp_server) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "PYTEST_"))}
    return {
        **env,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "EMAIL_URL": smtp_server.url,
    }


@pytest.fixture
def workers(broker_url, queue_env, tmp_path) -> Iterator[Workers]:
    started = Workers(queue_env, tmp_path)
    yield started
    started.stop_all()


def run_with_broker(env: dict[str, str], code: str) -> None:
    """Run `code` in a fresh process with the broker configured, as the site's web process would."""
    script = "import django; django.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=WAIT
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.django_db(transaction=True)
def test_a_sign_up_is_mailed_by_a_worker_through_redis(queue_env, workers, smtp_server):
    worker = workers.start("mailer")

    run_with_broker(
        queue_env,
        "from accounts.services import user_signup\n"
        "user_signup(username='quinn', email='quinn@example.com', password='violet-harbour-lantern-42')",
    )

    wait_for(lambda: smtp_server.messages, "the worker to send the verification mail")
    wait_for(lambda: b"succeeded" in worker.log.read_bytes(), "the task to finish (its commit)")
    (message,) = smtp_server.messages
    assert message["To"] == "quinn@example.com"
    assert message["Subject"] == "Confirm your email address for AI Model Platform"
    assert User.objects.filter(username="quinn").exists()
    assert SentMail.objects.filter(template="verify_email").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("smtp_server", [True], indirect=True)
def test_a_worker_killed_mid_task_leaves_it_to_another_and_the_mail_goes_once(
    queue_env, workers, smtp_server, broker_url
):
    first = workers.start("first")
    sender = celery_app_for(broker_url)
    mail = {
        "mail_id": str(uuid.uuid4()),
        "template": "verify_email",
        "to": ["quinn@example.com"],
        "context": {"user": {"username": "quinn"}, "verify_url": "http://x/verify/t/", "expiry_days": 3},
    }
    sender.send_task("accounts.tasks.send_templated_mail", kwargs=mail)
    taken = time.monotonic()

    # The worker is inside the task: it has claimed the mail's key (uncommitted) and waits on the server.
    assert smtp_server.held.wait(WAIT), first.log.read_text()[-3000:]
    assert not SentMail.objects.filter(mail_id=mail["mail_id"]).exists()
    workers.kill(first)
    smtp_server.release.set()

    # Redis hands the unacknowledged message to the next worker once the visibility timeout has passed.
    time.sleep(max(0.0, VISIBILITY_TIMEOUT + 1 - (time.monotonic() - taken)))
    second = workers.start("second")
    wait_for(lambda: smtp_server.messages, "the second worker to send the mail")
    wait_for(lambda: b"succeeded" in second.log.read_bytes(), "the second worker to finish the task")

    assert smtp_server.connections == 2
    assert [message["To"] for message in smtp_server.messages] == ["quinn@example.com"]
    assert SentMail.objects.filter(mail_id=mail["mail_id"]).count() == 1

    # The same message once more (a redelivery after the send, before the acknowledgement): no second mail.
    sender.send_task("accounts.tasks.send_templated_mail", kwargs=mail)
    wait_for(lambda: second.log.read_bytes().count(b"succeeded") == 2, "the repeat to run")
    assert b"was sent before" in second.log.read_bytes()
    assert len(smtp_server.messages) == 1
    assert smtp_server.connections == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("smtp_server", [True], indirect=True)
def test_a_task_process_killed_mid_task_is_given_back_to_the_queue_at_once(
    queue_env, workers, smtp_server, broker_url
):
    """The worker itself survives and sees its pool process die: the message goes back to the queue at
    once (task_reject_on_worker_lost), not after the visibility timeout, made an hour here."""
    workers.env = {**queue_env, "CELERY_VISIBILITY_TIMEOUT": "3600"}
    worker = workers.start("survivor")
    mail = {
        "mail_id": str(uuid.uuid4()),
        "template": "verify_email",
        "to": ["quinn@example.com"],
        "context": {"user": {"username": "quinn"}, "verify_url": "http://x/verify/t/", "expiry_days": 3},
    }
    celery_app_for(broker_url).send_task("accounts.tasks.send_templated_mail", kwargs=mail)

    assert smtp_server.held.wait(WAIT), worker.log.read_text()[-3000:]
    (pool_process,) = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    os.kill(int(pool_process), signal.SIGKILL)
    smtp_server.release.set()

    wait_for(lambda: smtp_server.messages, "the task to run again in a new pool process")
    wait_for(lambda: b"succeeded" in worker.log.read_bytes(), "the task to finish (its commit)")
    assert b"WorkerLostError" in worker.log.read_bytes()
    assert smtp_server.connections == 2
    assert [message["To"] for message in smtp_server.messages] == ["quinn@example.com"]
    assert SentMail.objects.filter(mail_id=mail["mail_id"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_away_the_site_answers_and_sends_the_mail_itself(queue_env, smtp_server, alice):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        nobody = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"  # a port nothing listens on

    run_with_broker(
        {**queue_env, "CELERY_BROKER_URL": nobody},
        "from django.test import Client\n"
        "response = Client().post('/accounts/password/reset/', {'email': 'alice@example.com'})\n"
        "assert response.status_code == 302, response.status_code\n",
    )

    assert [message["To"] for message in smtp_server.messages] == ["alice@example.com"]
    assert SentMail.objects.filter(template="password_reset").count() == 1


def celery_app_for(broker_url: str):
    """A sender with the site's task settings and the test's broker, leaving the site's app (no broker, in
    the process) as every other test expects it."""
    from celery import Celery

    sender = Celery("amp-test-sender", broker=broker_url, set_as_current=False)
    sender.conf.update(task_serializer="json", accept_content=["json"], task_ignore_result=True)
    return sender


def test_every_job_beat_schedules_is_a_task_the_worker_knows():
    celery_app.loader.import_default_modules()
    jobs = settings.CELERY_BEAT_SCHEDULE
    assert {job["task"] for job in jobs.values()} <= set(celery_app.tasks)
    assert {
        "accounts.tasks.release_stale_holds",
        "activity.tasks.maintain_usage_log_partitions",
        "activity.tasks.expire_call_media",
        "accounts.tasks.clear_expired_sessions",
        "accounts.tasks.prune_sent_mails",
    } <= {job["task"] for job in jobs.values()}
    assert not str(settings.CELERY_BEAT_SCHEDULE_FILENAME).startswith(str(ROOT))


@pytest.mark.django_db
def test_the_maintenance_tasks_run_and_a_second_run_finds_nothing_more_to_do():
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.tasks import clear_expired_sessions, prune_sign_in_logs, release_stale_holds
    from activity.tasks import expire_call_media, maintain_usage_log_partitions

    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now())
    tasks = (release_stale_holds, clear_expired_sessions, prune_sign_in_logs)
    for task in (*tasks, expire_call_media, maintain_usage_log_partitions):
        assert task.apply().successful()
        assert task.apply().successful()
    assert not Session.objects.exists()


def test_beat_starts_with_its_schedule_file_outside_the_code(broker_url, tmp_path):
    schedule = tmp_path / "beat-schedule"
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "PYTEST_"))},
        "DEBUG": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": "postgres:///unused",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_BEAT_SCHEDULE_FILENAME": str(schedule),
    }
    log = tmp_path / "beat.log"
    beat = subprocess.Popen(
        ["sh", "-c", f"exec {procfile_command('beat')}"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: b"beat: Starting" in log.read_bytes() or beat.poll() is not None, "beat to start")
        wait_for(
            lambda: list(tmp_path.glob("beat-schedule*")) or beat.poll() is not None, "its schedule file"
        )
        assert beat.poll() is None, log.read_text()[-3000:]
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(timeout=WAIT)
    assert list(tmp_path.glob("beat-schedule*"))
    assert not list(ROOT.glob("celerybeat-schedule*"))
