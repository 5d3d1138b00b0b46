"""The time-rule sweep set-based (``automation.services._time_batch_bulk``) against ticket by ticket.

The same data is swept once each way (in a savepoint rolled back in between); tickets, tags, messages,
events, log rows, outbox rows, in-app items, webhook deliveries and what the event rules did afterwards
must be the same. And the set-based sweep asks the database a fixed number of times per batch.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from automation import receivers, services
from automation.models import Run
from notifications.inbox import ticket_follow
from notifications.models import InAppNotification, Notification
from tickets import services as ts
from tickets.models import Message, Ticket, TicketEvent
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db

TICKET_FIELDS = [
    f.attname
    for f in Ticket._meta.concrete_fields
    if f.attname not in ("updated_at", "search_document", "search_vector")
]


def _message_body(pk: object) -> str | None:
    return Message.objects.filter(pk=pk).values_list("body", flat=True).first() if pk else None


def snapshot(ids: list[int]) -> dict:
    """Everything the sweep may write for ``ids``, without the ids and times that differ between runs."""
    tickets = {
        t["id"]: {k: v for k, v in t.items() if k in TICKET_FIELDS}
        for t in Ticket.objects.filter(pk__in=ids).values()
    }
    tags = {t.pk: sorted(t.tags.values_list("name", flat=True)) for t in Ticket.objects.filter(pk__in=ids)}
    messages = sorted(
        Message.objects.filter(ticket_id__in=ids).values_list(
            "ticket_id", "author_id", "body", "internal", "by_agent", "system"
        )
    )
    events = []
    for e in TicketEvent.objects.filter(ticket_id__in=ids).order_by("ticket_id", "id"):
        data = dict(e.data)
        if "message" in data:
            data["message"] = _message_body(data["message"])
        events.append(
            (e.ticket_id, e.kind, e.actor_id, e.field, e.old_value, e.new_value, sorted(data.items()))
        )
    runs = sorted(
        (r.ticket_id, r.rule_id, r.name, r.outcome, r.error, str(r.changes), r.anchor, r.depth)
        for r in Run.objects.filter(ticket_id__in=ids)
    )
    mails = sorted(
        Notification.objects.filter(ticket_id__in=ids).values_list(
            "ticket_id", "recipient_id", "address", "kind", "language", "subject", "body_text", "status"
        )
    )
    inapp = sorted(
        (n.ticket_id, n.recipient_id, n.topic, n.event.kind, n.excerpt)
        for n in InAppNotification.objects.filter(ticket_id__in=ids).select_related("event")
    )
    deliveries = sorted(
        (d.webhook_id, d.event, d.payload["change"]["kind"], d.payload["ticket"]["reference"])
        for d in Delivery.objects.filter(payload__ticket__id__in=ids)
    )
    return {
        "tickets": tickets,
        "tags": tags,
        "messages": messages,
        "events": events,
        "runs": runs,
        "mails": mails,
        "inapp": inapp,
        "deliveries": deliveries,
    }


@pytest.fixture
def pending_tickets(alice, bob, tina, nick, network_category):  # noqa: ANN001, ANN201
    """Twelve tickets pending for four days, in different states; two pending for one day only."""
    out = []
    with time_machine.travel(timezone.now() - timedelta(days=4)):
        for i in range(12):
            t = ts.ticket_create(
                requester=alice if i % 2 else bob,
                by=alice,
                subject=f"Printer {i} <jams>",
                description="x",
                category=network_category if i % 3 == 0 else None,
                tags=["new"] if i % 4 == 0 else (["reminded"] if i == 5 else None),
            )
            ts.ticket_update(ticket=t, by=tina, assignee=tina if i % 2 else None, status="pending")
            out.append(t)
        ticket_follow(ticket=out[1], user=nick)  # a follower hears of the tag change and the note
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        for i in range(2):
            t = ts.ticket_create(requester=alice, by=alice, subject=f"Fresh {i}", description="x")
            ts.ticket_update(ticket=t, by=tina, status="pending")
            out.append(t)
    return [t.pk for t in out]


def _sweep_both_ways(ids: list[int], django_capture_on_commit_callbacks) -> tuple[dict, dict, dict]:  # noqa: ANN001
    """Sweep ticket by ticket and set-based on the same data; their snapshots and fired counts."""
    out = {}
    counts = {}
    for set_based in (False, True):
        sid = transaction.savepoint()
        receivers._state.batch = None
        with django_capture_on_commit_callbacks(execute=True):
            counts[set_based] = services.rules_time_sweep(set_based=set_based)
        out[set_based] = snapshot(ids)
        transaction.savepoint_rollback(sid)
    return out[False], out[True], counts


def test_set_based_sweep_writes_what_ticket_by_ticket_writes(
    make_rule, pending_tickets, tina, engineering, django_capture_on_commit_callbacks
):
    Webhook.objects.create(url="https://hooks.example.com/x", secret="s" * 32, events=["ticket.updated"])
    rule = make_rule(
        trigger="time",
        since="pending",
        hours=72,
        actions=[
            {"type": "set_priority", "value": "P2"},
            {"type": "add_tags", "value": ["reminded"]},
            {"type": "remove_tags", "value": ["new"]},
            {"type": "note", "body": "Pending for three days: remind {customer_name} about {reference}."},
            {"type": "note", "body": "Second note on {subject}"},
        ],
    )
    # An event rule listening to the time rule's tag change: it runs after the commit with the time rule
    # in its chain; it sets the category, which starts nothing more.
    make_rule(
        name="Reminded → category",
        trigger="updated",
        conditions=[{"field": "tags", "op": "has_any", "value": ["reminded"]}],
        actions=[{"type": "add_tags", "value": ["followup"]}],
    )
    one_by_one, set_based, counts = _sweep_both_ways(pending_tickets, django_capture_on_commit_callbacks)
    assert counts[False] == counts[True]
    assert counts[True][rule.pk] == 12
    for key in one_by_one:
        assert set_based[key] == one_by_one[key], key
    # the sweep did something (the comparison is not of two empty sweeps)
    assert len([r for r in set_based["runs"] if r[1] == rule.pk]) == 12
    assert any(e[1] == TicketEvent.Kind.NOTE for e in set_based["events"])
    assert any(m[3] == "followed" for m in set_based["inapp"]) or set_based["inapp"]
    assert set_based["deliveries"]


def test_set_based_sweep_fails_a_ticket_as_ticket_by_ticket(
    make_rule, pending_tickets, engineering, django_capture_on_commit_callbacks
):
    """A team of another tier is refused per ticket (its run FAILED, the ticket untouched), the rest applied."""
    Ticket.objects.filter(pk=pending_tickets[3]).update(tier=3)  # the one Engineering (tier 3) may take
    make_rule(
        trigger="time",
        since="pending",
        hours=72,
        actions=[{"type": "set_team", "value": engineering.pk}, {"type": "note", "body": "Moved"}],
    )
    one_by_one, set_based, counts = _sweep_both_ways(pending_tickets, django_capture_on_commit_callbacks)
    assert counts[False] == counts[True]
    for key in one_by_one:
        assert set_based[key] == one_by_one[key], key
    assert {r[3] for r in set_based["runs"]} >= {Run.Outcome.FAILED, Run.Outcome.APPLIED}


def test_set_based_sweep_no_change_and_tags_only(
    make_rule, pending_tickets, django_capture_on_commit_callbacks
):
    make_rule(trigger="time", since="pending", hours=72, actions=[{"type": "remove_tags", "value": ["new"]}])
    one_by_one, set_based, counts = _sweep_both_ways(pending_tickets, django_capture_on_commit_callbacks)
    assert counts[False] == counts[True]
    for key in one_by_one:
        assert set_based[key] == one_by_one[key], key
    assert {r[3] for r in set_based["runs"]} == {Run.Outcome.APPLIED, Run.Outcome.NO_CHANGE}


def _make_pending(alice, tina, n: int) -> None:  # noqa: ANN001
    with time_machine.travel(timezone.now() - timedelta(days=4)):
        for i in range(n):
            t = ts.ticket_create(requester=alice, by=alice, subject=f"T{i}", description="x")
            ts.ticket_update(ticket=t, by=tina, assignee=tina, status="pending")


@pytest.mark.parametrize("n", [5, 40])
def test_set_based_sweep_asks_a_fixed_number_of_queries_per_batch(
    make_rule, alice, tina, nick, n, django_assert_max_num_queries
):
    make_rule(
        trigger="time",
        since="pending",
        hours=72,
        actions=[
            {"type": "set_priority", "value": "P2"},
            {"type": "add_tags", "value": ["reminded"]},
            {"type": "note", "body": "Remind {customer_name}"},
        ],
    )
    _make_pending(alice, tina, n)
    first = Ticket.objects.order_by("pk").first()
    ticket_follow(ticket=first, user=nick)
    receivers._state.batch = None
    # the same bound for 5 and for 40 tickets in the batch: nothing is asked per ticket
    with django_assert_max_num_queries(32):
        counts = services.rules_time_sweep()
    assert list(counts.values()) == [n]
    assert Message.objects.filter(system=True, internal=True).count() == n
    assert Ticket.objects.filter(tags__name="reminded").count() == n
