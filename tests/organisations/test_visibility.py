"""Who sees which tickets through an organisation: the one selector, and every route that uses it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organisations import services
from tickets import services as ts
from tickets.selectors import ticket_visible_qs

pytestmark = pytest.mark.django_db

# persona -> the tickets (by requester) they see; alice and nora are Acme, bob Globex.
EXPECTED = {
    "alice": {"alice"},  # a plain member: her own
    "nora": {"nora"},
    "carla": {"alice", "nora"},  # the right to see all of Acme's tickets
    "mark": {"alice", "nora"},  # Acme's manager
    "bob": {"bob"},  # Globex shares, but its only other member olga has no tickets
    "olga": {"bob"},  # Globex shares every ticket with its members; never Acme's
}


def _seen(tickets, ids):  # noqa: ANN001, ANN202
    return {name for name, t in tickets.items() if t.pk in ids}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_the_selector(people, tickets, persona):
    ids = set(ticket_visible_qs(user=people[persona]).values_list("pk", flat=True))
    assert _seen(tickets, ids) == EXPECTED[persona]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_the_api_list_and_detail(people, tickets, persona, api_as):
    client = api_as(people[persona])
    listed = {row["id"] for row in client.get("/api/v1/tickets/").data["results"]}
    details = {name: client.get(f"/api/v1/tickets/{t.pk}/").status_code for name, t in tickets.items()}
    assert _seen(tickets, listed) == EXPECTED[persona]
    assert {n for n, code in details.items() if code == 200} == EXPECTED[persona]
    assert {n for n, code in details.items() if code == 404} == set(tickets) - EXPECTED[persona]


@pytest.mark.postgres
@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_the_api_search(people, tickets, persona, api_as):
    found = {row["id"] for row in api_as(people[persona]).get("/api/v1/tickets/?q=printer").data["results"]}
    assert _seen(tickets, found) == EXPECTED[persona]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_the_portal_pages_and_attachments(people, tickets, persona, client):
    for t in tickets.values():
        ts.attachment_add(ticket=t, by=t.requester, file=SimpleUploadedFile("a.txt", b"a"))
    client.force_login(people[persona])
    pages = {n: client.get(f"/portal/tickets/{t.reference}/").status_code for n, t in tickets.items()}
    files = {
        n: client.get(f"/api/v1/tickets/{t.pk}/attachments/{t.attachments.get().pk}/download/").status_code
        for n, t in tickets.items()
    }
    assert {n for n, c in pages.items() if c == 200} == EXPECTED[persona]
    assert {n for n, c in pages.items() if c == 404} == set(tickets) - EXPECTED[persona]
    assert {n for n, c in files.items() if c == 200} == EXPECTED[persona]
    assert {n for n, c in files.items() if c == 404} == set(tickets) - EXPECTED[persona]


def test_sharing_is_off_by_default_and_turning_it_on_shows_members_each_others_tickets(people, tickets, acme):
    nora = people["nora"]
    assert not acme.members_see_all_tickets
    services.organisation_save(organisation=acme, members_see_all_tickets=True)
    assert set(ticket_visible_qs(user=nora)) == {tickets["alice"], tickets["nora"]}


def test_a_colleague_may_reply_but_not_reopen_or_rate_in_the_portal(people, tickets, tina, client):
    ticket = tickets["alice"]
    ts.ticket_resolve(ticket=ticket, by=tina, resolution="Cleared")
    client.force_login(people["carla"])
    # when
    page = client.get(f"/portal/tickets/{ticket.reference}/")
    reopen = client.post(f"/portal/tickets/{ticket.reference}/reopen/")
    rate = client.post(f"/portal/tickets/{ticket.reference}/rate/", {"score": 5})
    # then
    assert page.status_code == 200
    assert b"/reopen/" not in page.content
    assert (reopen.status_code, rate.status_code) == (403, 403)


def test_leaving_the_organisation_ends_the_view(people, tickets):
    carla = people["carla"]
    services.member_remove(membership=carla.org_memberships.get())
    assert set(ticket_visible_qs(user=carla)) == set()


def test_an_agent_still_gets_404_on_someone_elses_portal_page(tickets, tina, client):
    client.force_login(tina)
    assert client.get(f"/portal/tickets/{tickets['alice'].reference}/").status_code == 404
