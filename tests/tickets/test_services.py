from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.errors import ApplicationError, ConflictError
from tickets import services
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        ("high", "high", "P1"),
        ("high", "medium", "P2"),
        ("medium", "high", "P2"),
        ("medium", "medium", "P3"),
        ("low", "high", "P3"),
        ("high", "low", "P3"),
        ("medium", "low", "P4"),
        ("low", "low", "P4"),
    ],
)
def test_priority_follows_the_itil_matrix(impact: str, urgency: str, priority: str) -> None:
    assert services.priority_for(impact=impact, urgency=urgency) == priority


def test_a_customer_ticket_starts_at_tier_1_with_the_category_team(alice, network_category, service_desk):
    # when
    ticket = services.ticket_create(
        requester=alice,
        by=alice,
        subject="VPN drops",
        description="Every 5 minutes",
        category=network_category,
    )
    # then
    assert (ticket.tier, ticket.status, ticket.team, ticket.priority) == (1, "new", service_desk, "P3")
    assert ticket.reference == f"HD-{ticket.pk:06d}"
    assert list(ticket.events.values_list("kind", "actor")) == [("created", alice.pk)]


def test_without_a_path_the_default_tier_1_team_takes_it(alice, service_desk):
    ticket = services.ticket_create(requester=alice, by=alice, subject="Hi", description="Help")
    assert ticket.team == service_desk


def test_agent_priority_override_is_recorded_and_survives_impact_change(alice, tina):
    ticket = services.ticket_create(requester=alice, by=alice, subject="s", description="d")
    services.ticket_update(ticket=ticket, by=tina, priority="P1")
    ticket = services.ticket_update(ticket=ticket, by=tina, impact="low", urgency="low")
    assert ticket.priority == "P1"
    assert ticket.priority_overridden
    kinds = list(ticket.events.values_list("kind", "old_value", "new_value", "actor"))
    assert ("priority", "P3", "P1", tina.pk) in kinds


def test_impossible_status_transition_is_a_conflict(alice, tina):
    ticket = services.ticket_create(requester=alice, by=alice, subject="s", description="d")
    services.ticket_close(ticket=ticket, by=tina)
    with pytest.raises(ConflictError):
        services.ticket_update(ticket=ticket, by=tina, status="open")
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_counters_for_metrics(alice, tina):
    ticket = services.ticket_create(requester=alice, by=alice, subject="s", description="d")
    services.message_add(ticket=ticket, author=tina, body="internal", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # an internal note is no response
    services.message_add(ticket=ticket, author=tina, body="Try restarting")
    services.message_add(ticket=ticket, author=alice, body="Did not help")
    services.message_add(ticket=ticket, author=tina, body="Then this")
    ticket.refresh_from_db()
    assert ticket.public_reply_count == 2
    assert ticket.customer_followup_count == 1
    assert ticket.first_response_at is not None
    assert ticket.status == "open"


def test_customer_reply_within_window_reopens_a_resolved_ticket(alice, tina):
    ticket = services.ticket_create(requester=alice, by=alice, subject="s", description="d")
    services.ticket_resolve(ticket=ticket, by=tina, resolution="Reset the password")
    services.message_add(ticket=ticket, author=alice, body="Still broken")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == ("open", 1)
    assert ticket.events.filter(kind=TicketEvent.Kind.REOPENED, actor=alice).exists()


def test_customer_reply_after_window_does_not_reopen(alice, tina, settings):
    ticket = services.ticket_create(requester=alice, by=alice, subject="s", description="d")
    services.ticket_resolve(ticket=ticket, by=tina, resolution="done")
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    with pytest.raises(ConflictError):
        services.message_add(ticket=ticket, author=alice, body="again")
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"


def test_customer_cannot_write_internal_notes(alice):
    ticket = services.ticket_create(requester=alice, by=alice, subject="s", description="d")
    with pytest.raises(ApplicationError):
        services.message_add(ticket=ticket, author=alice, body="x", internal=True)
    assert ticket.messages.count() == 0


def test_resolve_records_who_and_at_which_tier(alice, tina):
    ticket = services.ticket_create(requester=alice, by=alice, subject="s", description="d")
    ticket = services.ticket_resolve(ticket=ticket, by=tina, resolution="Reset done")
    assert (ticket.resolved_tier, ticket.resolved_by, ticket.resolution) == (1, tina, "Reset done")


def test_reply_against_an_outdated_view_is_held_back_with_the_changes(alice, tina, nick):
    ticket = services.ticket_create(requester=alice, by=alice, subject="s", description="d")
    seen = ticket.version
    services.ticket_update(ticket=ticket, by=tina, priority="P1")
    with pytest.raises(services.StaleVersion) as exc:
        services.message_add(ticket=ticket, author=nick, body="Reply", expected_version=seen)
    assert any("P1" in change for change in exc.value.extra["changes"])
    assert ticket.messages.count() == 0


def test_events_are_immutable(alice):
    ticket = services.ticket_create(requester=alice, by=alice, subject="s", description="d")
    event = ticket.events.get()
    event.new_value = "forged"
    with pytest.raises(ValueError, match="immutable"):
        event.save()
