"""Fixtures of the saved views' tests: a private in-memory cache per test (the counts are cached),
signed-in clients, and tickets of the personas made through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import make_ticket
from tickets import services


@pytest.fixture(autouse=True)
def _private_cache(settings, request):  # noqa: ANN001
    if "redis" in request.keywords:
        return
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


@pytest.fixture
def client_as():  # noqa: ANN201
    def make(user) -> Client:  # noqa: ANN001
        c = Client()
        c.force_login(user)
        return c

    return make


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
