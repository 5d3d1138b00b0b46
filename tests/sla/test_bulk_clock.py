"""A bulk action's chunk moves its SLA clocks at once, exactly as one by one would."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.forms.models import model_to_dict

from sla.models import TicketSla
from tickets import bulk
from tickets import services as ts
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
MIRRORED = ("first_response_due", "resolution_due", "sla_state", "sla_paused_at")

# Each round: a bulk action's params, and the same change as an agent makes it on one ticket.
ROUNDS = [
    ("priority", {"priority": "P1"}, lambda t, by: ts.ticket_update(ticket=t, by=by, priority="P1")),
    ("status", {"status": "pending"}, lambda t, by: ts.ticket_update(ticket=t, by=by, status="pending")),
    ("status", {"status": "open"}, lambda t, by: ts.ticket_update(ticket=t, by=by, status="open")),
    (
        "status",
        {"status": "resolved", "resolution": "Reset."},
        lambda t, by: ts.ticket_resolve(ticket=t, by=by, resolution="Reset."),
    ),
    ("status", {"status": "open"}, lambda t, by: ts.ticket_reopen(ticket=t, by=by)),
]


def clock(ticket: Ticket) -> tuple[dict, dict]:
    sla = TicketSla.objects.get(ticket=ticket)
    row = Ticket.objects.values(*MIRRORED).get(pk=ticket.pk)
    return {k: v for k, v in model_to_dict(sla).items() if k not in ("id", "ticket")}, row


def test_a_chunks_clocks_equal_those_moved_one_by_one(alice, bob, tina, default_policy):
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN), tick=False) as clock_time:
        pairs = [
            tuple(
                ts.ticket_create(requester=who, by=who, subject=f"VPN {i}", description="d") for _ in range(2)
            )
            for i, who in enumerate([alice, bob, alice])
        ]
        for action, params, change in ROUNDS:
            clock_time.shift(3600)
            bulk.bulk_run(actor=tina, action=action, params=params, ids=[bulked.pk for bulked, _ in pairs])
            for _bulked, alone in pairs:
                change(Ticket.objects.get(pk=alone.pk), tina)
            for bulked, alone in pairs:
                assert clock(bulked) == clock(alone), (action, params)
    sla, row = clock(pairs[0][0])
    # the rounds did move the clock: an hour pending and a resolved hour were paused, then it ran again
    assert [p["reason"] for p in sla["pauses"]] == ["pending", "resolved"]
    assert sla["stopped_at"] is None
    assert sla["resolution_met"] is None
    assert row["resolution_due"] == sla["resolution_due"]


@pytest.mark.parametrize("size", [5, 20])
def test_a_chunk_moves_clocks_and_tells_followers_with_a_fixed_number_of_queries(
    alice, tina, service_desk, default_policy, size, django_assert_max_num_queries
):
    from notifications import inbox
    from notifications.models import InAppNotification, Notification
    from tests.factories import UserFactory

    followers = [UserFactory(role="agent", teams=[service_desk]) for _ in range(2)]
    tickets = [
        ts.ticket_create(requester=alice, by=alice, subject=f"VPN {i}", description="d") for i in range(size)
    ]
    for ticket in tickets:
        for agent in followers:
            inbox.ticket_follow(ticket=ticket, user=agent)
    # One by one: per ticket three queries for the clock (read, write, mirror), one for its followers, one
    # per follower for what they may see, one for their preferences, one for the in-app items. A chunk:
    # the same few in all, whatever its size.
    with django_assert_max_num_queries(19):
        result = bulk.bulk_run(
            actor=tina, action="status", params={"status": "pending"}, ids=[t.pk for t in tickets]
        )
    assert result.changed == size
    assert InAppNotification.objects.filter(topic="status").count() == 2 * size
    assert Notification.objects.filter(kind="waiting").count() == size
    assert all(
        (r["sla_paused_at"], r["sla_state"]) == (s.pause_started_at, "paused")
        for r, s in zip(
            Ticket.objects.order_by("pk").values("sla_paused_at", "sla_state"),
            TicketSla.objects.order_by("ticket_id"),
            strict=True,
        )
    )
