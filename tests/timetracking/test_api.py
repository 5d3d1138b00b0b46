"""``/api/v1/tickets/{id}/time-entries/`` and ``…/totals/``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from timetracking import services
from timetracking.models import TimeEntry

pytestmark = pytest.mark.django_db


def url(ticket, entry=None) -> str:  # noqa: ANN001
    base = f"/api/v1/tickets/{ticket.pk}/time-entries/"
    return f"{base}{entry.pk}/" if entry else base


def test_an_agent_logs_time_and_lists_it(api_as, vpn_ticket, tina, django_assert_max_num_queries):
    api = api_as(tina)
    r = api.post(url(vpn_ticket), {"minutes": 30, "note": "Remote session", "billable": True}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["minutes"], body["agent"], body["agent_name"], body["tier"], body["billable"]) == (
        30, tina.pk, "Tina", 1, True,
    )  # fmt: skip
    assert body["date"] == timezone.localdate().isoformat()
    services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=5)
    with django_assert_max_num_queries(6):
        r = api.get(url(vpn_ticket))
    assert r.status_code == 200
    assert [e["minutes"] for e in r.json()["results"]] == [30, 5]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": -10}, "minutes"),
        ({"minutes": 100000}, "minutes"),
        ({"minutes": "lots"}, "minutes"),
        ({}, "minutes"),
        ({"minutes": 10, "date": "2999-01-01"}, "date"),
        ({"minutes": 10, "date": "yesterday"}, "date"),
        ({"minutes": 10, "note": "x" * 501}, "note"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(api_as, vpn_ticket, tina, payload, field):
    r = api_as(tina).post(url(vpn_ticket), payload, format="json")
    assert r.status_code == 400
    assert field in r.json(), r.json()
    assert not TimeEntry.objects.exists()


def test_agents_change_their_own_entries_supervisors_everyones(api_as, vpn_ticket, tina, nick, sam):
    entry = services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=5)
    assert api_as(nick).patch(url(vpn_ticket, entry), {"minutes": 50}, format="json").status_code == 403
    assert api_as(nick).delete(url(vpn_ticket, entry)).status_code == 403
    assert api_as(nick).get(url(vpn_ticket, entry)).status_code == 200  # agents read all time on a ticket
    r = api_as(tina).patch(url(vpn_ticket, entry), {"minutes": 15}, format="json")
    assert (r.status_code, r.json()["minutes"]) == (200, 15)
    r = api_as(tina).patch(
        url(vpn_ticket, entry),
        {"date": (timezone.localdate() + timedelta(days=2)).isoformat()},
        format="json",
    )
    assert r.status_code == 400
    assert "date" in r.json()
    assert api_as(sam).patch(url(vpn_ticket, entry), {"billable": True}, format="json").status_code == 200
    assert api_as(sam).delete(url(vpn_ticket, entry)).status_code == 204
    assert not TimeEntry.objects.exists()


def test_customers_get_nothing_and_an_entry_of_another_ticket_is_404(api_as, vpn_ticket, alice, tina):
    from tickets import services as ts

    other = ts.ticket_create(requester=alice, by=alice, subject="Printer", description="Jammed")
    entry = services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=5)
    assert api_as(alice).get(url(vpn_ticket)).status_code == 403
    assert api_as(alice).post(url(vpn_ticket), {"minutes": 5}, format="json").status_code == 403
    assert api_as(None).get(url(vpn_ticket)).status_code in (401, 403)
    assert api_as(tina).get(url(other, entry)).status_code == 404
    assert api_as(tina).get("/api/v1/tickets/999999/time-entries/").status_code == 404


def test_totals_per_ticket_in_one_query(api_as, vpn_ticket, tina, nick, django_assert_max_num_queries):
    services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=20, billable=True)
    services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=10)
    services.time_entry_create(ticket=vpn_ticket, by=nick, minutes=45, billable=True)
    with django_assert_max_num_queries(4):
        r = api_as(tina).get(f"/api/v1/tickets/{vpn_ticket.pk}/time-entries/totals/")
    body = r.json()
    assert (body["minutes"], body["billable_minutes"], body["entries"]) == (75, 65, 3)
    assert [(a["name"], a["minutes"], a["billable_minutes"]) for a in body["by_agent"]] == [
        ("Nick", 45, 45),
        ("Tina", 30, 20),
    ]
