"""End to end: a time rule run by a real Celery beat and worker, against Redis and the test database."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from automation import services
from automation.models import Run
from tests.conftest import wait_for
from tickets import services as ts


@pytest.fixture
def automation_worker(monkeypatch, request):  # noqa: ANN001, ANN201
    monkeypatch.setenv("AUTOMATION_SWEEP_SECONDS", "1")  # read by the worker's settings
    return request.getfixturevalue("worker")


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_fire_a_time_rule_once(alice, tina, sam, service_desk, automation_worker):
    # given "pending for 3 days → remind and tag", a ticket pending for 4 days and one for 1 day
    rule = services.rule_save(
        user=sam, name="Remind after 3 days", trigger="time", since="pending", hours=72,
        actions=[{"type": "add_tags", "value": ["reminded"]}, {"type": "note", "body": "Reminder for {customer_name}"}],
    )  # fmt: skip
    with time_machine.travel(timezone.now() - timedelta(days=4)):
        due = ts.ticket_create(
            requester=alice, by=alice, subject="Old", description="Waiting on the customer"
        )
        ts.ticket_update(ticket=due, by=tina, status="pending")
    fresh = ts.ticket_create(requester=alice, by=alice, subject="New", description="Just asked")
    ts.ticket_update(ticket=fresh, by=tina, status="pending")
    _proc, log_path = automation_worker

    # when beat runs the sweep every second
    assert wait_for(lambda: due.tags.filter(name="reminded").exists(), 45), log_path.read_text()[-3000:]
    time.sleep(3)  # a few more sweeps
    # then the rule fired once, for the due ticket only, and says so in its log
    assert list(Run.objects.filter(rule=rule).values_list("ticket_id", "outcome")) == [(due.pk, "applied")]
    assert not fresh.tags.exists()
    assert due.messages.filter(internal=True, body="Reminder for Alice").count() == 1
    assert "automation.tasks.rules_time_sweep" in log_path.read_text()
