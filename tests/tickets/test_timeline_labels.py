"""The agent timeline reads as words (issue 11, item 9): display names, not usernames; labels, not codes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from escalation import services as escalation
from notifications.models import Notification
from tests.factories import UserFactory
from tickets import services as core
from tickets.events import event_record
from tickets.models import TicketEvent
from tickets.workspace import event_text, ticket_timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, network_category):  # noqa: ANN001, ANN201
    return core.ticket_create(
        requester=alice, by=alice, subject="VPN drops", description="Every hour.", category=network_category
    )


@pytest.fixture
def agent1(service_desk):  # noqa: ANN001, ANN201
    return UserFactory(
        username="agent1", role="agent", first_name="Tina", last_name="Tiersma", teams=[service_desk]
    )


def _texts(user, ticket) -> list[str]:  # noqa: ANN001
    return [e.text for e in ticket_timeline(user=user, ticket=ticket) if e.kind == "event"]


def test_assignee_changes_name_the_agent_not_the_username(agent1, ticket):
    core.ticket_update(ticket=ticket, by=agent1, assignee=agent1)
    html = _client(agent1).get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Assignee changed: Tina Tiersma" in html
    assert "Assignee changed: agent1" not in html


def test_notification_events_name_the_mail_not_its_code(agent1, ticket):
    event_record(ticket=ticket, kind=TicketEvent.Kind.NOTIFICATION, field="kind", new="new_in_queue")
    event_record(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTIFICATION,
        field="kind",
        new="assigned",
        data={"recipient": agent1.pk},
    )
    texts = _texts(agent1, ticket)
    assert "Notification sent: New in your team's queue" in texts
    assert "Notification sent: Assigned to you, to Tina Tiersma" in texts
    assert not any("new_in_queue" in t for t in texts)
    with translation.override("de"):
        text = event_text(TicketEvent.objects.filter(kind=TicketEvent.Kind.NOTIFICATION).first())
    assert "new_in_queue" not in text
    assert text.startswith("Benachrichtigung gesendet: ")
    assert str(Notification.Kind.NEW_IN_QUEUE.label) == "New in your team's queue"


def test_consult_and_tier_events_read_as_words(agent1, ticket, network_team):
    escalation.consult_create(ticket=ticket, by=agent1, team=network_team, question="Is the tunnel right?")
    escalation.ticket_escalate(
        ticket=ticket,
        by=agent1,
        reason="needs_expertise",
        summary="VPN drops every hour since Monday's update.",
        steps_taken="Reinstalled the client and checked the credentials twice.",
    )
    texts = _texts(agent1, ticket)
    assert "Consult: question asked" in texts
    assert "Escalated: Tier 1 → Tier 2" in texts
    with translation.override("de"):
        de = _texts(agent1, ticket)
    assert "Rückfrage: Frage gestellt" in de
    assert "Eskaliert: Stufe 1 → Stufe 2" in de


def test_the_timeline_names_agents_in_one_query(agent1, ticket, service_desk, django_assert_num_queries):
    other = UserFactory(
        username="agent2", role="agent", first_name="Ann", last_name="Other", teams=[service_desk]
    )
    for user in (agent1, other, agent1):
        core.ticket_update(ticket=ticket, by=agent1, assignee=user)
    with django_assert_num_queries(4):
        texts = _texts(agent1, ticket)
    assert "Assignee changed: Tina Tiersma → Ann Other" in texts


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client
