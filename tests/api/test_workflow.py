"""Resolve, reopen, close, rating and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tickets import services
from tickets.models import Rating, Ticket

pytestmark = pytest.mark.django_db


def u(ticket: Ticket, action: str) -> str:
    return f"/api/v1/tickets/{ticket.pk}/{action}/"


def test_an_agent_resolves_with_a_resolution(api_as, tina, alice_ticket):
    response = api_as(tina).post(
        u(alice_ticket, "resolve"), {"resolution": "Restarted", "article": 7}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "resolved"
    alice_ticket.refresh_from_db()
    assert (alice_ticket.resolution, alice_ticket.resolved_by, alice_ticket.resolved_tier) == (
        "Restarted",
        tina,
        1,
    )
    assert alice_ticket.events.get(kind="resolved").data["article"] == 7


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "resolution"),
        ({"resolution": ""}, "resolution"),
        ({"resolution": "x", "article": "kb"}, "article"),
    ],
)
def test_resolve_needs_a_resolution(api_as, tina, alice_ticket, body, field):
    response = api_as(tina).post(u(alice_ticket, "resolve"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    alice_ticket.refresh_from_db()
    assert alice_ticket.status == "new"


def test_resolving_a_closed_ticket_is_409(api_as, tina, alice_ticket):
    services.ticket_close(ticket=alice_ticket, by=tina)
    response = api_as(tina).post(u(alice_ticket, "resolve"), {"resolution": "x"}, format="json")
    assert response.status_code == 409


def test_the_requester_reopens_within_the_window_but_not_after(
    api_as, alice, tina, resolved_alice_ticket, settings
):
    response = api_as(alice).post(u(resolved_alice_ticket, "reopen"))
    assert response.status_code == 200
    assert response.json()["status"] == "open"
    assert response.json()["reopen_count"] == 1
    # resolve again and come back after the window
    services.ticket_resolve(ticket=resolved_alice_ticket, by=tina, resolution="ok")
    with time_machine.travel(timezone.now() + settings.HELPDESK_REOPEN_WINDOW + timedelta(hours=1)):
        late = api_as(alice).post(u(resolved_alice_ticket, "reopen"))
    assert late.status_code == 409


def test_reopening_an_open_ticket_is_409(api_as, tina, alice_ticket):
    assert api_as(tina).post(u(alice_ticket, "reopen")).status_code == 409


def test_agents_close_and_closing_twice_is_harmless(api_as, tina, alice_ticket):
    assert api_as(tina).post(u(alice_ticket, "close")).json()["status"] == "closed"
    assert api_as(tina).post(u(alice_ticket, "close")).status_code == 200
    assert alice_ticket.events.filter(kind="closed").count() == 1


def test_the_requester_rates_once_after_resolution(api_as, alice, resolved_alice_ticket):
    response = api_as(alice).post(
        u(resolved_alice_ticket, "rating"), {"score": 5, "comment": "Fast!"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["score"], response.json()["comment"]) == (5, "Fast!")
    again = api_as(alice).post(u(resolved_alice_ticket, "rating"), {"score": 1}, format="json")
    assert again.status_code == 409
    assert Rating.objects.get().score == 5


def test_an_unresolved_ticket_cannot_be_rated(api_as, alice, alice_ticket):
    assert api_as(alice).post(u(alice_ticket, "rating"), {"score": 4}, format="json").status_code == 409
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    "body", [{}, {"score": 0}, {"score": 6}, {"score": "five"}, {"score": 3, "comment": "x" * 5001}]
)
def test_bad_ratings_are_400(api_as, alice, resolved_alice_ticket, body):
    response = api_as(alice).post(u(resolved_alice_ticket, "rating"), body, format="json")
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_only_the_requester_rates(api_as, tina, sam, bob, resolved_alice_ticket):
    assert (
        api_as(tina).post(u(resolved_alice_ticket, "rating"), {"score": 5}, format="json").status_code == 403
    )
    assert (
        api_as(sam).post(u(resolved_alice_ticket, "rating"), {"score": 5}, format="json").status_code == 403
    )
    assert (
        api_as(bob).post(u(resolved_alice_ticket, "rating"), {"score": 5}, format="json").status_code == 404
    )
    assert not Rating.objects.exists()


def test_agents_read_the_audit_trail(api_as, tina, alice, alice_ticket):
    services.ticket_update(ticket=alice_ticket, by=tina, priority="P1")
    services.message_add(ticket=alice_ticket, author=tina, body="note", internal=True)
    response = api_as(tina).get(u(alice_ticket, "events"))
    assert response.status_code == 200
    events = response.json()["results"]
    assert [e["kind"] for e in events] == ["created", "priority", "note"]
    assert (events[1]["old_value"], events[1]["new_value"], events[1]["actor"]) == ("P3", "P1", tina.pk)


def test_customers_never_see_the_audit_trail(api_as, alice, bob, alice_ticket):
    assert api_as(alice).get(u(alice_ticket, "events")).status_code == 404
    assert api_as(bob).get(u(alice_ticket, "events")).status_code == 404


def test_the_audit_trail_has_a_fixed_number_of_queries(
    api_as, django_assert_max_num_queries, tina, alice_ticket
):
    for n in range(15):
        services.message_add(ticket=alice_ticket, author=tina, body=f"n{n}", internal=True)
    with django_assert_max_num_queries(2):
        response = api_as(tina).get(u(alice_ticket, "events"), {"page_size": 100})
    assert len(response.json()["results"]) == 16
