"""End to end with a real Celery worker against Redis, a real SMTP server and the real test database.

The worker is a subprocess (``celery -A helpdesk worker``) on the test database, so these tests need
PostgreSQL (an in-memory SQLite test database is not reachable from another process).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from helpdesk.celery import app as celery_app
from notifications.models import Notification, NotificationFanout
from notifications.services import notification_redispatch
from tickets.models import TicketEvent
from tickets.services import ticket_create

from .conftest import free_port, start_sink

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3
S = Notification.Status


def database_url_of_test_db() -> str:
    d = connection.settings_dict
    auth = d["USER"] + (f":{d['PASSWORD']}" if d["PASSWORD"] else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def worker_env(smtp_port: int, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": django_settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "60",
        "NOTIFICATIONS_LEASE_SECONDS": str(LEASE_SECONDS),
        "HELPDESK_VAR_DIR": str(tmp_path / "var"),
        "CONN_MAX_AGE": "0",
    }
    env.update(extra)
    return env


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:  # noqa: ANN001
    """``start_worker(smtp_port, **env)`` → a running ``celery -A helpdesk worker`` (solo pool), ready to consume."""
    started: list[subprocess.Popen] = []
    celery_app.control.purge()  # tasks other tests enqueued must not reach our workers

    def start(smtp_port: int, **env: str) -> subprocess.Popen:
        log = tmp_path / f"worker-{len(started)}.log"
        proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "helpdesk",
                "worker",
                "-P",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
                "-n",
                f"notify-test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=worker_env(smtp_port, tmp_path, **env),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        started.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if b" ready." in log.read_bytes():
                return proc
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker did not start:\n{log.read_text()[-3000:]}")

    yield start
    for proc in started:  # only the workers this fixture started; their tasks are all acked by now
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def statuses() -> list[str]:
    return list(Notification.objects.order_by("pk").values_list("status", flat=True))


def test_a_notification_is_delivered_end_to_end(start_worker, alice, tina, network_category):  # noqa: ANN001
    sink, controller = start_sink()
    try:
        start_worker(sink.port)
        # when: a customer submits a request (the commit enqueues the delivery on Redis)
        ticket = ticket_create(
            requester=alice, subject="Printer jam", description="x", by=alice, category=network_category
        )
        # then
        received = sink.wait_for(2)
        assert sorted(m["To"] for m in received) == [alice.email, tina.email]
        assert wait_until(lambda: statuses() == [S.SENT, S.SENT])
        assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.NOTIFICATION).count() == 2
    finally:
        controller.stop()


WORKER_APP_NAME = "notify-test-worker"


def worker_connections() -> list[tuple[int, object]]:
    """(pid, backend_start) of the worker's sessions on the test database, known by the application name
    the worker's libpq was given (PGAPPNAME): a connection another test's thread left open is not one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = %s",
            [WORKER_APP_NAME],
        )
        return cursor.fetchall()


def test_a_worker_keeps_its_database_connection_between_tasks(start_worker, alice, tina, network_category):  # noqa: ANN001
    sink, controller = start_sink()
    try:
        start_worker(sink.port, CONN_MAX_AGE="60", PGAPPNAME=WORKER_APP_NAME)
        # when: two separate changes, each delivered by its own tasks (receipt, team expansion, team mail)
        for subject in ("Printer jam", "VPN"):
            ticket_create(
                requester=alice, subject=subject, description="x", by=alice, category=network_category
            )
            assert wait_until(lambda: set(statuses()) == {S.SENT})
        first_sent = Notification.objects.order_by("sent_at").values_list("sent_at", flat=True).first()
        time.sleep(0.5)  # the last task's postrun has run
        # then: one connection served every task and is still open (Celery's Django fixup used to close it
        # after each task, so each task paid a new connection and a cold PostgreSQL backend)
        [(_pid, backend_start)] = worker_connections()
        assert backend_start < first_sent
        assert len(sink.messages) == 4
    finally:
        controller.stop()


def test_a_worker_killed_mid_delivery_is_replaced_and_the_mail_goes_out_once(
    start_worker,
    settings,
    alice,
    tina,
    network_category,  # noqa: ANN001
):
    settings.NOTIFICATIONS_REDISPATCH_GRACE_SECONDS = 0
    # given: an SMTP server that stalls the first delivery
    sink, controller = start_sink(slow_first=30)
    try:
        worker_a = start_worker(sink.port)
        ticket_create(requester=alice, subject="VPN", description="x", by=alice, category=network_category)
        assert sink.first_started.wait(20), "the worker never reached the SMTP server"
        # when: the worker is killed in the middle of the SMTP conversation
        worker_a.send_signal(signal.SIGKILL)
        worker_a.wait()
        first = Notification.objects.order_by("pk").first()
        assert (first.status, first.attempts) == (S.SENDING, 1)
        assert first.kind == Notification.Kind.RECEIVED
        # a new worker starts and takes the queued expansion: tina's queue mail is written and sent
        start_worker(sink.port)
        assert wait_until(lambda: statuses() == [S.SENDING, S.SENT])
        # once the dead worker's lease ran out the periodic redispatch hands the receipt on
        time.sleep(LEASE_SECONDS + 0.5)
        assert notification_redispatch() == 1
        # then: each mail arrives exactly once
        assert wait_until(lambda: statuses() == [S.SENT, S.SENT])
        first.refresh_from_db()
        assert first.attempts == 2
        # and stays once, however often the redispatch runs afterwards
        assert notification_redispatch() == 0
        time.sleep(1)
        assert sorted(m["To"] for m in sink.messages) == [alice.email, tina.email]
    finally:
        controller.stop()


def test_the_outbox_keeps_rows_while_redis_is_down_and_delivers_them_after(
    start_worker,
    settings,
    tmp_path,
    alice,
    tina,
    network_category,  # noqa: ANN001
):
    settings.NOTIFICATIONS_REDISPATCH_GRACE_SECONDS = 0
    sink, controller = start_sink()
    try:
        # when: a request comes in while the broker is unreachable (a process whose REDIS_URL is a dead port)
        script = (
            "import django; django.setup()\n"
            "from accounts.models import User; from tickets.models import Category\n"
            "from tickets.services import ticket_create\n"
            "alice = User.objects.get(username='alice')\n"
            "cat = Category.objects.get(name='Network')\n"
            "t = ticket_create(requester=alice, subject='Redis down', description='x', by=alice, category=cat)\n"
            "print(t.pk)\n"
        )
        env = worker_env(sink.port, tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/6")
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=60
        )
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        assert time.monotonic() - started < 15  # the change did not hang on the broker
        # then: the change and its outbox are committed, waiting: the receipt, and the team's fan-out
        assert statuses() == [S.PENDING]
        assert list(NotificationFanout.objects.values_list("kind", "expanded_at")) == [
            (Notification.Kind.NEW_IN_QUEUE, None)
        ]
        assert sink.messages == []
        # when: Redis is back (the real one), a worker runs and the periodic redispatch fires
        start_worker(sink.port)
        assert notification_redispatch() == 2  # the receipt re-enqueued, tina's row written and enqueued
        # then
        assert len(sink.wait_for(2)) == 2
        assert wait_until(lambda: statuses() == [S.SENT, S.SENT])
        assert sorted(m["To"] for m in sink.messages) == [alice.email, tina.email]
    finally:
        controller.stop()
