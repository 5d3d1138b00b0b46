"""German pages are German: the main strings of every page come out translated."""

from __future__ import annotations

import pytest

from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def german(alice, tina):  # noqa: ANN001
    for user in (alice, tina):
        user.language = "de"
        user.save()


@pytest.mark.usefixtures("german")
@pytest.mark.parametrize(
    ("who", "url", "german_text", "english_text"),
    [
        (
            "alice",
            "/portal/new/",
            ["Wen betrifft es?", "Nur mich", "Ich kann nicht arbeiten", "Anfrage absenden"],
            ["Only me", "Submit request"],
        ),
        (
            "alice",
            "/portal/tickets/",
            ["Meine Anfragen", "Neue Anfrage", "In Bearbeitung"],
            ["My requests", "Last update"],
        ),
        (
            "alice",
            "/portal/tickets/{ref}/",
            ["Antwort hinzufügen", "Ihre Antwort", "Bis zu"],
            ["Add a reply", "Up to"],
        ),
        (
            "tina",
            "/agent/?tab=open",
            ["Warteschlange", "Nicht zugewiesen", "Alle offenen", "Priorität"],
            ["Unassigned", "Newest first"],
        ),
        (
            "tina",
            "/agent/tickets/{pk}/",
            ["Öffentliche Antwort senden", "Interne Notiz hinzufügen", "Auswirkung", "Erstellt über"],
            ["Send public reply", "Impact"],
        ),
        (
            "tina",
            "/agent/tickets/new/",
            ["Anruf erfassen", "Bestehender Kunde", "Mir zuweisen"],
            ["Existing customer"],
        ),
    ],
)
def test_pages_are_translated(client_as, request, alice_ticket, who, url, german_text, english_text):
    services.ticket_update(ticket=alice_ticket, by=request.getfixturevalue("tina"), status="open")
    html = (
        client_as(request.getfixturevalue(who))
        .get(url.format(ref=alice_ticket.reference, pk=alice_ticket.pk))
        .content.decode()
    )
    for text in german_text:
        assert text in html
    for text in english_text:
        assert text not in html


def test_the_sign_in_page_follows_the_browser(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Anmelden" in html
    assert "Konto erstellen" in html


@pytest.mark.usefixtures("german")
def test_the_collision_notice_in_german(client_as, tina, nick, alice_ticket):
    seen = alice_ticket.version
    services.ticket_update(ticket=alice_ticket, by=nick, urgency="high")
    response = client_as(tina).post(
        f"/agent/tickets/{alice_ticket.pk}/messages/",
        {"body": "Meine Antwort", "version": seen, "kind": "reply"},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Nicht gesendet: dieses Ticket wurde geändert, während Sie schrieben." in html
    assert "Nick: Dringlichkeit geändert: Mittel → Hoch" in html
    assert "Meine Antwort" in html
