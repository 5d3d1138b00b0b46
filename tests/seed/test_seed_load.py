"""seed_load: many tickets with messages, events and counters that agree (SQLite: bulk_create; PostgreSQL: COPY)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from tickets import services
from tickets.management.commands.seed_load import TICKET_COLS, _defaults_of_other_columns
from tickets.models import Message, Ticket, TicketEvent, TicketSearch

pytestmark = pytest.mark.django_db


def _load(n: int) -> str:
    out = StringIO()
    call_command("seed_load", "--tickets", str(n), stdout=out)
    return out.getvalue()


def _schema() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        return {
            model._meta.db_table: set(connection.introspection.get_constraints(cursor, model._meta.db_table))
            for model in (Ticket, Message, TicketEvent)
        }


def test_seed_load_makes_tickets_with_messages_events_and_consistent_counters():
    # given
    schema_before = _schema()

    # when
    out = _load(200)

    # then
    assert Ticket.objects.count() == 200
    assert "Loaded 200 tickets" in out
    assert Message.objects.count() >= 300
    assert TicketEvent.objects.count() >= 600
    assert User.objects.filter(role=User.Role.CUSTOMER).count() >= 10
    assert User.objects.filter(role=User.Role.AGENT).count() >= 5
    assert len(set(Ticket.objects.values_list("status", flat=True))) >= 4
    assert Ticket.objects.filter(tier__gt=1).exists()
    tickets = Ticket.objects.annotate(
        agent_replies=Count(
            "messages", filter=Q(messages__by_agent=True, messages__internal=False), distinct=True
        ),
        customer_messages=Count("messages", filter=Q(messages__by_agent=False), distinct=True),
        n_events=Count("events", distinct=True),
        created_events=Count("events", filter=Q(events__kind="created"), distinct=True),
        escalated_events=Count("events", filter=Q(events__kind="escalated"), distinct=True),
    )
    now = timezone.now()
    for t in tickets:
        assert t.public_reply_count == t.agent_replies
        assert t.customer_followup_count == t.customer_messages
        assert t.version == t.n_events
        assert t.created_events == 1
        assert t.escalation_count == t.escalated_events == t.tier - 1
        assert t.created_at <= t.updated_at <= now
        assert t.first_response_due
        assert t.resolution_due
        if t.status == Ticket.Status.NEW:
            assert t.first_response_at is None
            assert t.assignee_id is None
        else:
            assert t.first_response_at
            assert t.assignee_id
        if t.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
            assert t.resolved_at
            assert t.resolved_tier == t.tier
            assert t.resolution
        if t.status == Ticket.Status.CLOSED:
            assert t.resolved_at < t.closed_at <= now

    # then: indexes and constraints are back, and the sequences moved past the loaded ids
    assert _schema() == schema_before
    requester = User.objects.filter(role=User.Role.CUSTOMER).first()
    fresh = Ticket.objects.create(subject="after the load", description="x", requester=requester)
    assert fresh.pk > Ticket.objects.exclude(pk=fresh.pk).order_by("-pk").first().pk
    fresh_message = Message.objects.create(ticket=fresh, author=requester, body="x")
    assert fresh_message.pk > 0


def test_seed_load_adds_to_what_is_there():
    # given
    _load(50)
    # when
    _load(50)
    # then
    assert Ticket.objects.count() == 100
    assert Ticket.objects.filter(events__kind="created").distinct().count() == 100


@pytest.mark.postgres
def test_seed_load_uses_copy_on_postgres():
    out = _load(100)
    assert "rebuilt: CREATE INDEX" in out
    assert "tables analysed" in out


def test_columns_the_generator_does_not_know_get_their_defaults():
    # given: a column list without "resolution" and "sla_state" (as if another app had added them)
    cols = [c for c in TICKET_COLS if c not in ("resolution", "sla_state")]
    # when
    missing = dict(_defaults_of_other_columns(Ticket, cols))
    # then
    assert missing == {"resolution": "", "sla_state": "ok"}
    assert _defaults_of_other_columns(Ticket, TICKET_COLS) == []


@pytest.mark.postgres
def test_seed_load_fills_the_search_documents_and_turns_their_triggers_back_on(tina):
    # given: documents of tickets that were there before
    _load(20)
    # when
    out = _load(30)
    # then: one document per ticket, and the triggers work again
    assert "search documents: 30" in out
    assert TicketSearch.objects.count() == Ticket.objects.count() == 50
    ticket = Ticket.objects.order_by("-pk").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT document::text FROM tickets_ticketsearch WHERE ticket_id = %s", [ticket.pk])
        loaded = cursor.fetchone()[0]
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname LIKE 'tickets\\_search\\_%%'")
        assert {row[0] for row in cursor.fetchall()} == {"O"}
    services.message_add(ticket=ticket, author=tina, body="Kaffeemaschine", internal=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT document::text FROM tickets_ticketsearch WHERE ticket_id = %s", [ticket.pk])
        document = cursor.fetchone()[0]
    assert "'kaffeemaschine':" in document
    assert "'kaffeemaschine':" not in loaded
