"""Next / previous ticket in the order of the queue the agent came from (keyboard j / k)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tickets import services as ts
from tickets.models import Ticket
from tickets.workspace import agent_queue, queue_neighbours

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(alice, service_desk):  # noqa: ANN001, ANN201
    tickets = [
        ts.ticket_create(requester=alice, by=alice, subject=f"Ticket {i}", description="x") for i in range(5)
    ]
    # resolution_due: two tickets without one (NULLs sort last), the others in a different order than ids
    now = timezone.now()
    for t, hours in zip(tickets, [5, None, 1, None, 3], strict=True):
        Ticket.objects.filter(pk=t.pk).update(resolution_due=now + timedelta(hours=hours) if hours else None)
    return [Ticket.objects.get(pk=t.pk) for t in tickets]


@pytest.mark.parametrize("sort", ["newest", "oldest", "resolution_due", "priority", "updated"])
def test_neighbours_follow_the_queue_order(five, tina, sort):
    order = [
        t.pk for t in agent_queue(user=tina, tab="open", filters={}, sort=sort, cursor="", limit=50).rows
    ]
    assert sorted(order) == sorted(t.pk for t in five)
    for i, pk in enumerate(order):
        around = queue_neighbours(
            user=tina, tab="open", filters={}, sort=sort, ticket=Ticket.objects.get(pk=pk)
        )
        assert around.previous == (order[i - 1] if i > 0 else None), (sort, i)
        assert around.next == (order[i + 1] if i + 1 < len(order) else None), (sort, i)


def test_neighbours_respect_the_queues_filters(five, tina):
    ts.ticket_update(ticket=five[2], by=tina, assignee=tina)
    around = queue_neighbours(user=tina, tab="mine", filters={}, sort="newest", ticket=five[2])
    assert (around.previous, around.next) == (None, None)
    around = queue_neighbours(user=tina, tab="open", filters={"q": "Ticket"}, sort="newest", ticket=five[2])
    assert (around.previous, around.next) == (five[3].pk, five[1].pk)


def test_the_ticket_page_links_its_neighbours_with_three_queries_more(five, tina):
    c = Client()
    c.force_login(tina)
    origin = urlencode({"tab": "open", "sort": "newest"})
    queue = c.get(f"/agent/?{origin}").content.decode()
    assert f'href="/agent/tickets/{five[2].pk}/?from=tab%3Dopen%26sort%3Dnewest"' in queue
    c.get(f"/agent/tickets/{five[2].pk}/")
    with CaptureQueriesContext(connection) as plain:
        c.get(f"/agent/tickets/{five[2].pk}/")
    c.get(f"/agent/tickets/{five[2].pk}/", {"from": origin})  # remembers the queue in the session (a write)
    with CaptureQueriesContext(connection) as nav:
        r = c.get(f"/agent/tickets/{five[2].pk}/", {"from": origin})
    # one keyset query per neighbour, and the queue filter form's category choices (a small table)
    assert len(nav) == len(plain) + 3
    html = r.content.decode()
    assert f'href="/agent/tickets/{five[3].pk}/?from=tab%3Dopen%26sort%3Dnewest" data-shortcut="k"' in html
    assert f'href="/agent/tickets/{five[1].pk}/?from=tab%3Dopen%26sort%3Dnewest" data-shortcut="j"' in html
    # after a reply (its redirect has no ?from=) the page still knows the queue, from the session
    r = c.post(
        f"/agent/tickets/{five[2].pk}/messages/", {"body": "Done", "version": five[2].version, "kind": "note"}
    )
    assert r.status_code == 302
    html = c.get(r["Location"]).content.decode()
    assert f'href="/agent/tickets/{five[1].pk}/?from=tab%3Dopen%26sort%3Dnewest" data-shortcut="j"' in html
    # a broken origin is just "the open queue, newest first"
    assert c.get(f"/agent/tickets/{five[2].pk}/", {"from": "sort=%%%&tab=nonsense"}).status_code == 200
