"""A macro applied to many tickets from the queue's selection bar and through the bulk API."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from automation import services
from automation.models import Run
from tickets import bulk
from tickets import services as ts
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/bulk/"
ACTIONS = [
    {"type": "set_priority", "value": "P2"},
    {"type": "add_tags", "value": ["printer"]},
    {"type": "reply", "body": "About {reference}: we are on it."},
]


@pytest.fixture
def tickets(alice, bob, service_desk):  # noqa: ANN001, ANN201
    return [
        ts.ticket_create(requester=who, by=who, subject=f"Printer {i}", description="d")
        for i, who in enumerate([alice, bob, alice])
    ]


def test_a_macro_applies_to_each_ticket_and_skips_the_closed(tickets, tina):
    macro = services.macro_save(user=tina, name="Printer triage", actions=ACTIONS)
    ts.ticket_close(ticket=tickets[2], by=tina)
    result = bulk.bulk_run(
        actor=tina, action="macro", params={"macro": macro.pk}, ids=[t.pk for t in tickets]
    )
    assert (result.changed, [s["code"] for s in result.skipped]) == (2, ["closed"])
    for ticket in tickets[:2]:
        ticket.refresh_from_db()
        assert (ticket.priority, list(ticket.tags.values_list("name", flat=True))) == ("P2", ["printer"])
        reply = Message.objects.get(ticket=ticket, author=tina)
        assert reply.body == f"About {ticket.reference}: we are on it."
    assert Run.objects.filter(macro=macro, outcome=Run.Outcome.APPLIED).count() == 2


def test_another_agents_personal_macro_is_a_field_error(tickets, tina, nick):
    theirs = services.macro_save(user=nick, name="Nick's", actions=ACTIONS)
    with pytest.raises(serializers.ValidationError) as err:
        bulk.bulk_run(actor=tina, action="macro", params={"macro": theirs.pk}, ids=[tickets[0].pk])
    assert "macro" in err.value.detail
    assert Ticket.objects.get(pk=tickets[0].pk).priority == "P3"


def test_the_bulk_api_applies_a_macro_and_refuses_an_unknown_one(api_as, tickets, tina):
    macro = services.macro_save(user=tina, name="Printer triage", actions=ACTIONS)
    ids = [t.pk for t in tickets]
    response = api_as(tina).post(
        URL, {"action": "macro", "params": {"macro": 999999}, "ids": ids}, format="json"
    )
    assert response.status_code == 400
    assert "macro" in str(response.json())
    response = api_as(tina).post(
        URL, {"action": "macro", "params": {"macro": macro.pk}, "ids": ids}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["changed"] == 3


def test_the_selection_bar_offers_the_agents_macros(client, tina, nick, tickets):
    services.macro_save(user=tina, name="Printer triage", actions=ACTIONS)
    services.macro_save(user=nick, name="Nick's secret", actions=ACTIONS)
    tina.language = "de"
    tina.save()
    client.force_login(tina)
    page = client.get("/agent/").content.decode()
    assert 'data-for="macro"' in page
    assert "Makro anwenden" in page
    assert "Printer triage" in page
    assert "Nick&#x27;s secret" not in page
    assert "Nick's secret" not in page
    # applied from the bar as the browser posts it
    response = client.post(
        "/agent/bulk/",
        {
            "action": "macro",
            "p_macro": services.macro_visible_qs(user=tina).get().pk,
            "ids": [t.pk for t in tickets],
        },
    )
    assert response.status_code in (200, 302)
    assert set(Ticket.objects.values_list("priority", flat=True)) == {"P2"}
