"""The time panel on the agent's ticket page, through the HTTP client."""

from __future__ import annotations

import pytest

from timetracking import services
from timetracking.models import RunningTimer, TimeEntry

pytestmark = pytest.mark.django_db


def test_the_panel_shows_totals_and_entries(client_as, vpn_ticket, tina, nick, django_assert_max_num_queries):
    services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=90, note="Remote session", billable=True)
    services.time_entry_create(ticket=vpn_ticket, by=nick, minutes=5)
    client = client_as(tina)
    client.get(f"/agent/tickets/{vpn_ticket.pk}/")  # warm the session
    with django_assert_max_num_queries(45):  # 44 + the organisation panel's memberships of the requester
        html = client.get(f"/agent/tickets/{vpn_ticket.pk}/").content.decode()
    assert 'id="time-panel"' in html
    assert "1 h 35 min" in html
    assert "Remote session" in html
    assert "1 h 30 min billable" in html
    # one delete button: tina's own entry, not nick's
    assert html.count('/delete/" hx-post') == 1


def test_the_panel_adds_a_query_or_two_not_one_per_entry(
    client_as, vpn_ticket, tina, django_assert_num_queries
):
    client = client_as(tina)
    client.get(f"/agent/tickets/{vpn_ticket.pk}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/agent/tickets/{vpn_ticket.pk}/")
    for _ in range(8):
        services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=5)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/agent/tickets/{vpn_ticket.pk}/")
    assert len(many) == len(few)


def test_manual_entry_through_htmx_and_its_field_errors(client_as, vpn_ticket, tina):
    client = client_as(tina)
    path = f"/agent/tickets/{vpn_ticket.pk}/time/"
    r = client.post(path, {"duration": "1:15", "date": "2999-01-01"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200  # htmx swaps only 2xx: the panel comes back with its errors
    assert "cannot be in the future" in r.content.decode()
    r = client.post(path, {"duration": "forever", "date": ""}, HTTP_HX_REQUEST="true")
    assert "Enter a duration such as" in r.content.decode()
    assert not TimeEntry.objects.exists()
    from django.utils import timezone

    r = client.post(
        path,
        {"duration": "1:15", "date": timezone.localdate().isoformat(), "note": "Call", "billable": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.billable, entry.note) == (75, True, "Call")
    assert "1 h 15 min" in r.content.decode()


def test_without_javascript_the_forms_come_back_to_the_ticket(client_as, vpn_ticket, tina):
    client = client_as(tina)
    r = client.post(f"/agent/tickets/{vpn_ticket.pk}/timer/start/")
    assert r.status_code == 302
    assert r["Location"] == f"/agent/tickets/{vpn_ticket.pk}/"
    assert RunningTimer.objects.filter(agent=tina, ticket=vpn_ticket).exists()
    html = client.get(f"/agent/tickets/{vpn_ticket.pk}/").content.decode()
    assert 'data-testid="timer-running"' in html  # the timer survives a reload
    r = client.post(f"/agent/tickets/{vpn_ticket.pk}/timer/stop/", {"note": "Done"})
    assert r.status_code == 302
    assert TimeEntry.objects.get().source == "timer"


def test_others_entries_cannot_be_deleted_by_an_agent(client_as, vpn_ticket, tina, nick, sam):
    entry = services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=5)
    path = f"/agent/tickets/{vpn_ticket.pk}/time/{entry.pk}/delete/"
    assert client_as(nick).post(path).status_code == 403
    assert client_as(sam).post(path).status_code == 302
    assert not TimeEntry.objects.exists()


def test_customers_never_see_the_panel_or_post_to_it(client_as, vpn_ticket, alice, tina):
    services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=5, note="internal effort")
    html = client_as(alice).get(f"/portal/tickets/{vpn_ticket.reference}/").content.decode()
    assert "internal effort" not in html
    assert "time-panel" not in html
    assert (
        client_as(alice).post(f"/agent/tickets/{vpn_ticket.pk}/time/", {"duration": "5"}).status_code == 403
    )


def test_an_agent_changes_an_own_entry_on_the_page_others_only_supervisors(
    client_as, vpn_ticket, tina, nick, sam
):
    from django.utils import timezone

    entry = services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=5)
    path = f"/agent/tickets/{vpn_ticket.pk}/time/{entry.pk}/"
    today = timezone.localdate().isoformat()
    html = client_as(tina).get(f"/agent/tickets/{vpn_ticket.pk}/").content.decode()
    assert f'id="time{entry.pk}_duration"' in html
    assert 'value="0:05"' in html
    r = client_as(tina).post(path, {"duration": "0", "date": today}, HTTP_HX_REQUEST="true")
    assert "at least one minute" in r.content.decode()
    entry.refresh_from_db()
    assert entry.minutes == 5
    assert client_as(nick).post(path, {"duration": "50", "date": today}).status_code == 403
    r = client_as(tina).post(
        path, {"duration": "1:05", "date": today, "note": "More", "billable": "on"}, HTTP_HX_REQUEST="true"
    )
    assert "1 h 5 min" in r.content.decode()
    assert client_as(sam).post(path, {"duration": "20", "date": today}).status_code == 302
    entry.refresh_from_db()
    assert (entry.minutes, entry.billable, entry.note) == (20, False, "")
