"""Tickets of the personas, made through the services (as the product would)."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.models import Ticket


def make_ticket(
    requester, *, subject: str = "VPN drops", description: str = "Every few minutes.", **kwargs
) -> Ticket:  # noqa: ANN001
    return services.ticket_create(
        requester=requester, by=requester, subject=subject, description=description, **kwargs
    )


@pytest.fixture
def alice_ticket(alice, service_desk) -> Ticket:  # noqa: ANN001
    return make_ticket(alice, subject="Alice's VPN drops")


@pytest.fixture
def bob_ticket(bob, service_desk) -> Ticket:  # noqa: ANN001
    return make_ticket(bob, subject="Bob's printer jams")


@pytest.fixture
def resolved_alice_ticket(alice_ticket, tina) -> Ticket:  # noqa: ANN001
    return services.ticket_resolve(ticket=alice_ticket, by=tina, resolution="Restarted the VPN gateway.")
