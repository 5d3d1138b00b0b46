"""What agents and customers see of notifications: the delivery panel and the mail preference page."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from notifications.models import Notification
from notifications.selectors import delivery_panel_context
from tickets.panels import agent_ticket_panels, nav_entries, render_panels
from tickets.services import message_add, ticket_create

from .conftest import expand_fanouts

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, tina, network_category):  # noqa: ANN001
    t = ticket_create(requester=alice, subject="VPN", description="x", by=alice, category=network_category)
    expand_fanouts()  # tina's queue mail
    message_add(ticket=t, author=tina, body="Which version?")
    return t


def request_as(user):  # noqa: ANN001, ANN201
    request = RequestFactory().get("/agent/")
    request.user = user
    return request


def test_agents_see_the_delivery_status_of_every_notification(
    ticket,
    tina,
    django_assert_max_num_queries,  # noqa: ANN001
):
    # given: one failed attempt
    n = Notification.objects.get(kind=Notification.Kind.REPLY)
    Notification.objects.filter(pk=n.pk).update(attempts=2, last_error="SMTPServerDisconnected: gone")
    # when
    panels = render_panels(agent_ticket_panels, request_as(tina), ticket, "side")
    (template, _ctx) = next(p for p in panels if p[0] == "notifications/_delivery_panel.html")
    with django_assert_max_num_queries(1):  # this panel's own cost; other apps' panels are theirs
        ctx = delivery_panel_context(request_as(tina), ticket)
    html = render_to_string(template, ctx)
    # then
    assert len(ctx["notifications"]) == 3
    assert "Reply from the service desk" in html
    assert "SMTPServerDisconnected: gone" in html
    assert "Pending" in html


def test_the_panel_lists_many_notifications_in_one_query(ticket, tina, django_assert_max_num_queries):  # noqa: ANN001
    for i in range(30):
        message_add(ticket=ticket, author=tina, body=f"Update {i}")
    with django_assert_max_num_queries(1):
        ctx = delivery_panel_context(request_as(tina), ticket)
        html = render_to_string("notifications/_delivery_panel.html", ctx)
    assert html.count("Reply from the service desk") == 31


def test_customers_never_get_the_panel(ticket, alice):  # noqa: ANN001
    assert delivery_panel_context(request_as(alice), ticket) is None


def test_customers_find_the_preference_page_in_the_nav():
    assert any(e.url_name == "notifications:preferences" and e.who == "customer" for e in nav_entries)


def test_a_customer_turns_off_non_essential_updates(client, alice):  # noqa: ANN001
    client.force_login(alice)
    page = client.get("/accounts/notifications/")
    assert page.status_code == 200
    assert b'name="email_updates"' in page.content
    # when: the box is unticked
    response = client.post("/accounts/notifications/", {})
    # then
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email_updates is False
    client.post("/accounts/notifications/", {"email_updates": "on"})
    alice.refresh_from_db()
    assert alice.email_updates is True


def test_the_preference_page_needs_a_sign_in(client):  # noqa: ANN001
    response = client.get("/accounts/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_agents_read_the_delivery_status_through_the_api(ticket, tina, api_as, django_assert_max_num_queries):  # noqa: ANN001
    with django_assert_max_num_queries(4):
        response = api_as(tina).get(f"/api/v1/tickets/{ticket.pk}/notifications/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["kind"] for r in rows] == ["reply", "new_in_queue", "received"]
    assert {"status", "attempts", "last_error", "sent_at"} <= set(rows[0])
    assert "body_text" not in rows[0]


def test_customers_may_not_read_delivery_status_and_unknown_tickets_are_404(ticket, alice, tina, api_as):  # noqa: ANN001
    assert api_as(alice).get(f"/api/v1/tickets/{ticket.pk}/notifications/").status_code == 403
    assert api_as(None).get(f"/api/v1/tickets/{ticket.pk}/notifications/").status_code in (401, 403)
    assert api_as(tina).get("/api/v1/tickets/999999/notifications/").status_code == 404
