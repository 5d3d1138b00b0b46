from __future__ import annotations

import pytest

from tickets import services as ts
from tickets.models import Ticket


@pytest.fixture
def vpn_ticket(alice, tina, network_category) -> Ticket:  # noqa: ANN001
    return ts.ticket_create(
        requester=alice,
        by=alice,
        subject="VPN drops",
        description="Every few minutes.",
        category=network_category,
    )


@pytest.fixture
def client_as():  # noqa: ANN201
    from django.test import Client

    def make(user) -> Client:  # noqa: ANN001
        c = Client()
        c.force_login(user)
        return c

    return make
