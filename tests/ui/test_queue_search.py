"""The agent queue's search box: the ticket search of the API (issue #16), in the queue's order."""

from __future__ import annotations

import pytest

from tests.api.conftest import make_ticket
from tickets import services

pytestmark = pytest.mark.django_db


def test_the_queue_search_box_finds_message_text_references_and_emails(
    client_as, alice, bob, tina, service_desk
):
    printer = make_ticket(alice, subject="Printer", description="It jams.")
    services.message_add(ticket=printer, author=tina, body="Toner cartridge ordered.")
    vpn = make_ticket(bob, subject="VPN", description="It drops.")
    client = client_as(tina)
    assert printer.subject in client.get("/agent/?tab=open&q=toner").content.decode()
    assert vpn.subject not in client.get("/agent/?tab=open&q=toner").content.decode()
    assert vpn.reference in client.get(f"/agent/?tab=open&q={bob.email}").content.decode()
    assert printer.reference not in client.get(f"/agent/?tab=open&q={bob.email}").content.decode()
