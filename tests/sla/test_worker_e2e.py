"""End to end: a real Celery worker with its beat, against Redis and the test database."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from sla.models import SlaAlert
from tests.conftest import wait_for
from tickets import services as ts
from tickets.models import TicketEvent


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
    assert wait_for(both_breached, 45), log_path.read_text()[-3000:]
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
