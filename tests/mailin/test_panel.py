from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from mailin import services
from mailin.models import Participant
from mailin.panels import email_panel_context
from tests.mailin.conftest import make_mail
from tickets.panels import agent_ticket_panels, render_panels

pytestmark = pytest.mark.django_db


@pytest.fixture
def cc_ticket(alice, bob, service_desk):  # noqa: ANN001
    stored = services.inbound_store(raw=make_mail(headers={"Cc": bob.email}))
    return services.inbound_process(pk=stored.pk).ticket


def _request(user):  # noqa: ANN001, ANN202
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_agents_see_how_mail_matched_and_the_offered_participants(cc_ticket, tina, bob):
    panels = render_panels(agent_ticket_panels, _request(tina), cc_ticket, "side")
    template, context = next(p for p in panels if p[0] == "mailin/_email_panel.html")
    html = render_to_string(template, {**context, "csrf_token": "x"})
    assert "new request" in html
    assert bob.email in html
    assert "Approve" in html


def test_customers_never_get_the_panel(cc_ticket, alice):
    assert email_panel_context(_request(alice), cc_ticket) is None


def test_an_agent_approves_a_participant(client, cc_ticket, tina, bob):
    participant = Participant.objects.get(ticket=cc_ticket)
    client.force_login(tina)
    response = client.post(f"/agent/tickets/{cc_ticket.pk}/participants/{participant.pk}/approve/")
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.approved, participant.approved_by) == (True, tina)


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_customers_cannot_approve(client, cc_ticket, request, who):
    participant = Participant.objects.get(ticket=cc_ticket)
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/agent/tickets/{cc_ticket.pk}/participants/{participant.pk}/approve/")
    assert response.status_code == 403
    participant.refresh_from_db()
    assert participant.approved is False


def test_a_participant_of_another_ticket_is_404(client, cc_ticket, tina, alice, service_desk):
    other = services.inbound_process(pk=services.inbound_store(raw=make_mail(subject="other")).pk).ticket
    participant = Participant.objects.get(ticket=cc_ticket)
    client.force_login(tina)
    assert client.post(f"/agent/tickets/{other.pk}/participants/{participant.pk}/approve/").status_code == 404
