"""Two time sweeps at once (two workers, or a slow sweep overtaken by the next): each ticket once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from automation import services
from automation.models import Run
from tickets import services as ts
from tickets.models import Message


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_fire_each_ticket_once(alice, tina, sam, service_desk):
    rule = services.rule_save(
        user=sam, name="Remind", trigger="time", since="pending", hours=72,
        actions=[{"type": "add_tags", "value": ["reminded"]}, {"type": "note", "body": "Reminder"}],
    )  # fmt: skip
    with time_machine.travel(timezone.now() - timedelta(days=4)):
        tickets = [
            ts.ticket_create(requester=alice, by=alice, subject=f"T{i}", description="x") for i in range(40)
        ]
        for t in tickets:
            ts.ticket_update(ticket=t, by=tina, status="pending")
    results: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def sweep() -> None:
        try:
            start.wait()
            results.append(services.rules_time_sweep(batch_size=7)[rule.pk])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors, errors
    assert sum(results) == 40
    assert Run.objects.filter(rule=rule).count() == 40
    assert Message.objects.filter(body="Reminder").count() == 40
