"""Issue #14: "an organisation member never sees another organisation's tickets (every list, search,
export, attachment, chat and API route; 404 as today)". For every persona of the organisations'
permission matrix (conftest: Acme's plain members, the member who sees all, the manager, Globex's
members) and every ticket sub-resource route, a ticket the persona may not see answers exactly as a
ticket id that does not exist, and its subject, messages and file never appear in the answer."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.organisations.test_visibility import EXPECTED
from tickets import services as ts
from tickets.links import link_create
from tickets.merge import ticket_merge
from timetracking.services import time_entry_create

pytestmark = pytest.mark.django_db

MISSING = 987654
API_ROUTES = [
    "/api/v1/tickets/{id}/",
    "/api/v1/tickets/{id}/messages/",
    "/api/v1/tickets/{id}/attachments/",
    "/api/v1/tickets/{id}/attachments/{attachment}/download/",
    "/api/v1/tickets/{id}/events/",
    "/api/v1/tickets/{id}/links/",
    "/api/v1/tickets/{id}/time-entries/",
    "/api/v1/tickets/{id}/time-entries/totals/",
    "/api/v1/tickets/{id}/notifications/",
    "/api/v1/tickets/{id}/followers/",
    "/api/v1/tickets/{id}/mention-suggestions/",
    "/api/v1/tickets/{id}/automation-log/",
    "/api/v1/tickets/{id}/consults/",
    "/api/v1/kb/tickets/{id}/checklist/",
]
# The routes a customer uses for the tickets they see (the others are for agents, whatever the ticket).
CUSTOMER_ROUTES = set(API_ROUTES[:4])
PAGE_ROUTES = [
    "/portal/tickets/{reference}/",
    "/portal/tickets/{reference}/submitted/",
]


@pytest.fixture
def filled(tickets, tina):  # noqa: ANN001, ANN201
    """Every ticket with a public reply, an internal note, a file and a time entry."""
    files = {}
    for name, t in tickets.items():
        ts.message_add(ticket=t, author=tina, body=f"Reply about {name}'s secret-{name}")
        ts.message_add(ticket=t, author=tina, body=f"Note about {name}", internal=True)
        files[name] = ts.attachment_add(
            ticket=t, by=t.requester, file=SimpleUploadedFile(f"{name}.txt", f"file-{name}".encode())
        )
        time_entry_create(ticket=t, by=tina, minutes=15, note=f"work-{name}")
    return files


def _client(user) -> Client:  # noqa: ANN001
    """Signed in with a session, as the browser is (the download route is a page, not DRF)."""
    client = Client()
    client.force_login(user)
    return client


def _leaks(body: bytes, name: str, ticket) -> bool:  # noqa: ANN001
    text = body.decode(errors="replace")
    # (Not the reference: a page may echo the address the caller typed, e.g. in the language form.)
    return any(s in text for s in (ticket.subject, f"secret-{name}", f"file-{name}", f"work-{name}"))


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_every_ticket_route_answers_as_for_a_missing_ticket(people, tickets, filled, persona):
    client = _client(people[persona])
    wrong = []
    for route in API_ROUTES:
        missing = client.get(route.format(id=MISSING, attachment=1))
        for name, t in tickets.items():
            url = route.format(id=t.pk, attachment=filled[name].pk)
            response = client.get(url)
            body = getattr(response, "content", b"") or b"".join(getattr(response, "streaming_content", []))
            if name in EXPECTED[persona]:
                if route in CUSTOMER_ROUTES and response.status_code != 200:
                    wrong.append(f"{url}: {response.status_code} for a ticket {persona} sees")
            elif response.status_code != missing.status_code or _leaks(body, name, t):
                wrong.append(f"{url}: {response.status_code}, a missing ticket {missing.status_code}")
    assert wrong == []


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_every_portal_page_and_list_keeps_to_the_organisation(people, tickets, filled, persona):
    client = Client()
    client.force_login(people[persona])
    wrong = []
    for route in PAGE_ROUTES:
        missing = client.get(route.format(reference="T-999999"))
        for name, t in tickets.items():
            response = client.get(route.format(reference=t.reference))
            if name not in EXPECTED[persona] and (
                response.status_code != missing.status_code or _leaks(response.content, name, t)
            ):
                wrong.append(f"{route} {name}: {response.status_code}")
    # the lists: the portal, the API (also searched and filtered), the notifications
    listed = {
        "portal": client.get("/portal/tickets/").content,
        "portal closed": client.get("/portal/tickets/?status=closed").content,
        "api": client.get("/api/v1/tickets/?page_size=100").content,
        "api search": client.get("/api/v1/tickets/?q=Printer").content,
        "api filter": client.get(f"/api/v1/tickets/?requester={people['bob'].pk}").content,
        "notifications": client.get("/api/v1/notifications/").content,
        "organisation page": client.get("/portal/organisation/").content,
    }
    for where, body in listed.items():
        for name, t in tickets.items():
            if name not in EXPECTED[persona] and _leaks(body, name, t):
                wrong.append(f"{where} shows {name}'s ticket")
    assert wrong == []


@pytest.mark.parametrize("persona", ["alice", "nora", "carla", "mark"])
def test_no_export_or_dashboard_route_opens_for_a_customer(people, persona, filled):
    client = Client()
    client.force_login(people[persona])
    for url in (
        "/dashboard/",
        "/dashboard/tickets/",
        "/dashboard/export/tickets.csv",
        "/dashboard/time/",
        "/dashboard/time/entries.csv",
        "/api/v1/metrics/summary/",
        "/api/v1/metrics/time/",
        "/api/v1/views/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert b"secret-bob" not in response.content


def test_a_link_to_another_organisations_ticket_shows_nothing_of_it(people, tickets, filled, tina):
    alice_ticket, bob_ticket = tickets["alice"], tickets["bob"]
    link_create(source=alice_ticket, target=bob_ticket, kind="related", by=tina, allow_other_customer=True)
    for persona in ("alice", "carla", "mark"):
        client = _client(people[persona])
        links = client.get(f"/api/v1/tickets/{alice_ticket.pk}/links/")
        page = Client()
        page.force_login(people[persona])
        portal = page.get(f"/portal/tickets/{alice_ticket.reference}/")
        for body in (
            links.content,
            portal.content,
            client.get(f"/api/v1/tickets/{alice_ticket.pk}/").content,
        ):
            assert not _leaks(body, "bob", bob_ticket), persona


def test_a_ticket_merged_into_another_organisations_ticket_points_nowhere(people, tickets, filled, tina):
    """An agent merges Acme's ticket into Globex's: Acme's people keep a page without Globex's content."""
    alice_ticket, bob_ticket = tickets["alice"], tickets["bob"]
    ticket_merge(source=alice_ticket, target=bob_ticket, by=tina, allow_other_customer=True)
    for persona in ("alice", "carla", "mark"):
        client = _client(people[persona])
        detail = client.get(f"/api/v1/tickets/{alice_ticket.pk}/")
        assert detail.status_code == 200
        assert detail.json()["merged_into"] is None
        page = Client()
        page.force_login(people[persona])
        portal = page.get(f"/portal/tickets/{alice_ticket.reference}/", follow=True)
        assert portal.status_code == 200
        assert not _leaks(portal.content, "bob", bob_ticket), persona
        assert client.get(f"/api/v1/tickets/{bob_ticket.pk}/").status_code == 404
    # and Globex's people do not get Acme's merged messages on their ticket
    for persona in ("bob", "olga"):
        page = Client()
        page.force_login(people[persona])
        portal = page.get(f"/portal/tickets/{bob_ticket.reference}/")
        assert "secret-alice" not in portal.content.decode(), persona
        api = _client(people[persona]).get(f"/api/v1/tickets/{bob_ticket.pk}/messages/")
        assert "secret-alice" not in api.content.decode(), persona
