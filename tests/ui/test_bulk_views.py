"""The bulk pages over HTTP: "all matching" means the tab and filters shown, errors change nothing."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_all_matching_takes_the_tab_shown_even_when_it_came_from_the_session(
    client_as, alice, tina, nick, service_desk
):
    mine = services.ticket_create(requester=alice, by=alice, subject="mine", description="d")
    services.ticket_update(ticket=mine, by=tina, assignee=tina)
    other = services.ticket_create(requester=alice, by=alice, subject="other", description="d")
    c = client_as(tina)
    page = c.get("/agent/")  # lands on "mine" (no tab in the query)
    assert page.context["tab"] == "mine"
    assert 'name="tab" value="mine"' in page.content.decode()
    count = c.get("/agent/bulk/count/", {"tab": "mine"}).content.decode().strip()
    assert count == "1"
    response = c.post(
        "/agent/bulk/",
        {"action": "priority", "p_priority": "P1", "all_matching": "1", "query": "", "tab": "mine"},
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=mine.pk).priority == "P1"
    assert Ticket.objects.get(pk=other.pk).priority == "P3"
    result = c.get(response["Location"]).content.decode()
    assert "1 changed" in result


def test_bad_input_shows_the_errors_and_changes_nothing(client_as, alice, tina, service_desk):
    t = services.ticket_create(requester=alice, by=alice, subject="s", description="d")
    c = client_as(tina)
    response = c.post("/agent/bulk/", {"action": "reply", "p_body": "Hi {nope}", "ids": [t.pk]})
    assert response.status_code == 400
    assert "Unknown placeholder {nope}" in response.content.decode()
    assert not t.messages.exists()
    response = c.post("/agent/bulk/", {"action": "priority", "p_priority": "P1"})
    assert response.status_code == 400
    assert "Select at least one ticket." in response.content.decode()


def test_customers_get_no_bulk_pages(client_as, alice, service_desk):
    assert client_as(alice).post("/agent/bulk/", {"action": "priority"}).status_code == 403
