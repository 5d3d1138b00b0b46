"""Recurring tickets run by the real thing: Celery beat schedules the sweep, a worker runs it."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from recurring import services
from recurring.models import Occurrence, RecurringTicket
from tests.conftest import wait_for
from tickets.models import Ticket


@pytest.fixture
def fast_sweep(monkeypatch):  # noqa: ANN001, ANN201
    """Beat's recurring sweep every second (read by the worker's settings at start)."""
    monkeypatch.setenv("RECURRING_SWEEP_SECONDS", "1")


def _due_schedule(alice) -> RecurringTicket:  # noqa: ANN001
    # given: a schedule saved three minutes ago, so an occurrence (every minute) is already due
    with_past = timezone.now() - timedelta(minutes=3)
    schedule = services.schedule_save(
        by=None,
        name="Every minute",
        cron="* * * * *",
        subject="Tick {date}",
        description="Tock",
        requester=alice,
    )
    RecurringTicket.objects.filter(pk=schedule.pk).update(handled_until=with_past, next_run_at=with_past)
    return schedule


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_open_the_due_ticket_once(alice, service_desk, fast_sweep, worker):
    schedule = _due_schedule(alice)
    _proc, log_path = worker
    # when beat sweeps every second
    assert wait_for(lambda: Ticket.objects.filter(subject__startswith="Tick").exists(), 40), (
        log_path.read_text()[-3000:]
    )
    time.sleep(3)  # more sweeps within the same minute
    # then the missed minutes became one ticket, and later sweeps of that minute opened nothing
    occurrences = list(Occurrence.objects.filter(schedule=schedule))
    tickets_now = Ticket.objects.count()
    assert len(occurrences) <= 2
    assert tickets_now == len(occurrences)
    assert occurrences[-1].missed >= 2
    assert "recurring.tasks.recurring_sweep" in log_path.read_text()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_open_one_ticket(alice, service_desk):
    schedule = _due_schedule(alice)
    now = timezone.now()
    barrier = threading.Barrier(2)
    results = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.recurring_run_one(schedule_id=schedule.pk, now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r is None for r in results) == [False, True]
    assert Ticket.objects.count() == 1
    assert Occurrence.objects.count() == 1
