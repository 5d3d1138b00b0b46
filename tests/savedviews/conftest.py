"""Fixtures of the saved views' tests: the UI tests' private in-memory cache per test (the counts are
cached) and signed-in clients, and tickets of the personas made through the services."""

from __future__ import annotations

import pytest

from tests.api.conftest import make_ticket
from tests.ui.conftest import _private_cache, client_as  # noqa: F401 - fixtures used here too
from tickets import services


@pytest.fixture
def tickets(alice, bob, tina, service_desk):  # noqa: ANN001, ANN201
    """Alice's VPN ticket (phone, tagged vpn, assigned to tina, P2), bob's printer (web), alice's
    resolved mail ticket."""
    vpn = make_ticket(alice, subject="VPN drops", channel="phone", tags=["vpn"])
    services.ticket_update(ticket=vpn, by=tina, assignee=tina, priority="P2")
    printer = make_ticket(bob, subject="Printer jams", description="Paper stuck.")
    mail = make_ticket(alice, subject="Mailbox full", channel="email")
    services.ticket_resolve(ticket=mail, by=tina, resolution="Archived old mail.")
    return {"vpn": vpn, "printer": printer, "mail": mail}
