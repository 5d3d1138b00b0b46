"""The ticket-page panels: the agent's SLA explanation and the customer's plain-language timeline."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from sla import services
from sla.selectors import portal_timeline
from tickets import services as ts
from tickets.events import event_record
from tickets.models import Ticket, TicketEvent
from tickets.panels import agent_ticket_panels, portal_ticket_panels, render_panels

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
SECRET = "INTERNAL-ONLY root password is hunter2"


def request_as(user):  # noqa: ANN001, ANN201
    request = RequestFactory().get("/")
    request.user = user
    return request


def render(panels, user, ticket: Ticket, slot: str) -> str:  # noqa: ANN001
    return "".join(
        render_to_string(t, ctx) for t, ctx in render_panels(panels, request_as(user), ticket, slot)
    )


def escalate(ticket: Ticket, *, by, team, tier: int) -> None:  # noqa: ANN001
    """What the escalation service leaves in the core: new tier and team, an event with an internal handoff."""
    t = ts.ticket_lock(pk=ticket.pk)
    old = t.tier
    t.tier, t.team = tier, team
    t.save(update_fields=["tier", "team"])
    event_record(
        ticket=t,
        kind=TicketEvent.Kind.ESCALATED,
        actor=by,
        field="tier",
        old=old,
        new=tier,
        data={"team": team.pk, "summary": SECRET, "steps_taken": SECRET},
    )


@pytest.fixture
def worked_ticket(alice, tina, nick, network_team, default_policy):  # noqa: ANN001, ANN201
    """Received, worked on by the service desk, a note, forwarded to Network, waiting for the customer."""
    with time_machine.travel(datetime(2026, 11, 17, 9, 0, tzinfo=BERLIN), tick=False) as clock:
        ticket = ts.ticket_create(requester=alice, by=alice, subject="VPN drops", description="Every 5 min")
        clock.shift(timedelta(minutes=10))
        ts.ticket_update(ticket=ticket, by=tina, assignee=tina)
        ts.message_add(ticket=ticket, author=tina, body=SECRET, internal=True)
        clock.shift(timedelta(minutes=10))
        escalate(ticket, by=tina, team=network_team, tier=2)
        clock.shift(timedelta(minutes=10))
        ts.ticket_update(ticket=ticket, by=nick, status="pending")
    return Ticket.objects.get(pk=ticket.pk)


def test_the_customer_timeline_tells_the_way_in_plain_language(worked_ticket):
    steps = portal_timeline(ticket=worked_ticket)
    assert [s.label for s in steps] == [
        "Received",
        "Being worked on by our service desk",
        "Forwarded to our Network specialists",
        "Waiting for your reply",
    ]
    assert steps[-1].expected is None  # the clock waits for the customer: no promise


def test_the_portal_panel_never_shows_internal_text_agent_names_or_sla_internals(worked_ticket, alice):
    # given the ticket has even breached (sweep far in the future)
    ts.message_add(ticket=worked_ticket, author=alice, body="Here is the log")
    services.sla_sweep(now=timezone.now() + timedelta(days=30))
    # when the customer's page renders the portal panels
    html = render(portal_ticket_panels, alice, Ticket.objects.get(pk=worked_ticket.pk), "main")
    # then
    assert "Forwarded to our Network specialists" in html
    for forbidden in (
        SECRET,
        "hunter2",
        "tina",
        "nick",
        "Tina",
        "Nick",
        "breach",
        "warning",
        "Breach",
        "SLA",
    ):
        assert forbidden not in html, forbidden


def test_an_open_ticket_shows_the_expected_reply_time(alice, default_policy):
    with time_machine.travel(datetime(2026, 11, 17, 9, 0, tzinfo=BERLIN), tick=False):
        ticket = ts.ticket_create(requester=alice, by=alice, subject="s", description="d")
        [step] = portal_timeline(ticket=Ticket.objects.get(pk=ticket.pk))
    assert step.label == "Received"
    assert step.expected == datetime(2026, 11, 17, 13, 0, tzinfo=BERLIN)
    assert step.expected_label == "We expect to reply by"


def test_a_passed_due_time_is_never_shown_to_the_customer(alice, default_policy):
    with time_machine.travel(datetime(2026, 11, 17, 9, 0, tzinfo=BERLIN), tick=False):
        ticket = ts.ticket_create(requester=alice, by=alice, subject="s", description="d")
    [step] = portal_timeline(ticket=ticket, now=datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN))
    assert step.expected is None


def test_the_timeline_speaks_german(worked_ticket):
    with translation.override("de"):
        labels = [s.label for s in portal_timeline(ticket=worked_ticket)]
    assert labels[0] == "Eingegangen"
    assert labels[-1] == "Wartet auf Ihre Antwort"


def test_the_agent_panel_explains_each_due_time(worked_ticket, tina, alice):
    html = render(agent_ticket_panels, tina, worked_ticket, "side")
    assert "Standard" in html
    assert "Business hours (Berlin)" in html
    assert "First response" in html
    assert "Resolution" in html
    assert "waiting for the customer" in html
    assert render_panels(agent_ticket_panels, request_as(alice), worked_ticket, "side") == []


def test_the_breach_handoff_is_written_from_the_timeline(worked_ticket, alice):
    # given the ticket breached its targets
    ts.message_add(ticket=worked_ticket, author=alice, body="Still broken")
    services.sla_sweep(now=timezone.now() + timedelta(days=30))
    # when
    handoff = services.breach_handoff(Ticket.objects.select_related("team").get(pk=worked_ticket.pk))
    # then
    assert set(handoff) >= {"summary", "steps_taken"}
    assert worked_ticket.reference in handoff["summary"]
    assert "first response" in handoff["summary"]
    assert "resolution" in handoff["summary"]
    assert "Standard" in handoff["summary"]
    steps = handoff["steps_taken"]
    assert "Assignee changed" in steps
    assert "(tina)" in steps
    assert "Escalated: 1 → 2" in steps
    assert "Internal note (tina)" in steps  # agents receive the handoff; notes are context for them
    assert "SLA" not in steps.split("\n")[0]
    # the times as the pages write them ("2 Dec 2026, 14:05"), not as ISO
    assert re.match(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} ", steps)
    assert re.search(r"resolution was due \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}\.", handoff["summary"])


def test_a_ticket_nobody_touched_says_so_in_the_handoff(alice, default_policy):
    ticket = ts.ticket_create(requester=alice, by=alice, subject="s", description="d")
    handoff = services.breach_handoff(ticket)
    assert handoff["steps_taken"].endswith("No agent replied or wrote a note before the breach.")
