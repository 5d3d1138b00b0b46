"""A bulk action and an agent's reply (and a second bulk action) on the same tickets at once, each in its
own thread with its own database connection: nothing is lost, nobody deadlocks (PostgreSQL row locks)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from tickets import bulk, services
from tickets.events import event_recorded
from tickets.models import Ticket, TicketEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_thread(fn, errors, barrier):  # noqa: ANN001, ANN202
    def run() -> None:
        try:
            barrier.wait(timeout=10)
            fn()
        except Exception as e:  # noqa: BLE001 - reported to the test
            errors.append(e)
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_bulk_and_a_reply_on_the_same_ticket_lose_nothing(alice, tina, nick, service_desk):
    tickets = [
        services.ticket_create(requester=alice, by=alice, subject=f"t{i}", description="d") for i in range(30)
    ]
    ids = [t.pk for t in tickets]
    contested = tickets[15]

    # Hold the bulk's chunk open a moment after its first event, so the reply has to wait for the lock.
    def slow(sender, ticket, event, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if event.kind == TicketEvent.Kind.PRIORITY and ticket.pk == ids[0]:
            time.sleep(0.3)

    event_recorded.connect(slow, dispatch_uid="test.slow", weak=False)
    errors: list[Exception] = []
    barrier = threading.Barrier(3)
    try:
        threads = [
            _in_thread(
                lambda: bulk.bulk_run(actor=tina, action="priority", params={"priority": "P1"}, ids=ids),
                errors,
                barrier,
            ),
            _in_thread(
                lambda: bulk.bulk_run(
                    actor=nick, action="tags", params={"add": ["outage"]}, ids=list(reversed(ids))
                ),
                errors,
                barrier,
            ),
            _in_thread(
                lambda: (time.sleep(0.05), services.message_add(ticket=contested, author=tina, body="On it")),
                errors,
                barrier,
            ),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in threads), "a thread hangs: deadlock"
    finally:
        event_recorded.disconnect(dispatch_uid="test.slow")
    assert errors == []
    contested.refresh_from_db()
    # all three changes are there, none overwrote another
    assert contested.priority == "P1"
    assert list(contested.tags.values_list("name", flat=True)) == ["outage"]
    assert contested.public_reply_count == 1
    assert contested.status == "open"  # the reply opened it; the bulk did not write the old status back
    assert (
        contested.version == 1 + 3
    )  # created; then priority, tags and the reply (which opened it), one each
    assert Ticket.objects.filter(priority="P1").count() == 30
    assert TicketEvent.objects.filter(kind="tags").count() == 30
