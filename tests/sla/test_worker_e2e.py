"""End to end: a real Celery worker with its beat, against Redis and the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from sla.models import SlaAlert
from tickets import services as ts
from tickets.models import TicketEvent

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(predicate, timeout: float, interval: float = 0.5) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


@pytest.fixture
def worker(tmp_path):  # noqa: ANN001, ANN201
    """``celery -A helpdesk worker -B`` with a one-second sweep, on our Redis db and the test database."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our own db number: no stale sweeps from earlier runs
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SLA_SWEEP_SECONDS": "1",
        "HELPDESK_VAR_DIR": str(tmp_path),
        "CONN_MAX_AGE": "0",
    }
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "helpdesk",
                "worker",
                "-B",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-s",
                str(tmp_path / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        assert _wait_for(lambda: "ready." in log_path.read_text(), 30), log_path.read_text()[-3000:]
        yield proc, log_path
    finally:
        proc.send_signal(signal.SIGTERM)  # warm shutdown: finishes the running sweep
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_record_warning_and_breach_once_each(alice, make_policy, always_open, worker):
    # given a 1-minute 24/7 policy, and a ticket created 40 s ago (warning due in 8 s, breach in 20 s)
    make_policy("One minute", minutes=1, calendar=always_open, is_default=True)
    with time_machine.travel(timezone.now() - timedelta(seconds=40), tick=True):
        ticket = ts.ticket_create(requester=alice, by=alice, subject="Server down", description="All of it")
    _proc, log_path = worker

    def both_breached() -> bool:
        return SlaAlert.objects.filter(ticket=ticket, kind="breach").count() == 2

    # when beat sweeps every second
    assert _wait_for(both_breached, 45), log_path.read_text()[-3000:]
    time.sleep(4)  # a few more sweeps after the breach
    # then each warning and breach happened exactly once
    assert sorted(SlaAlert.objects.filter(ticket=ticket).values_list("target", "kind")) == [
        ("first_response", "breach"),
        ("first_response", "warning"),
        ("resolution", "breach"),
        ("resolution", "warning"),
    ]
    kinds = list(ticket.events.filter(kind__in=["sla_warning", "sla_breach"]).values_list("kind", flat=True))
    assert sorted(kinds) == ["sla_breach", "sla_breach", "sla_warning", "sla_warning"]
    assert TicketEvent.objects.filter(kind="sla_breach", actor__isnull=False).count() == 0
    ticket.refresh_from_db()
    assert ticket.sla_state == "breached"
    assert "sla.tasks.sla_sweep" in log_path.read_text()
