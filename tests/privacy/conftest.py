from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets import services as ticket_services


@pytest.fixture
def alices_ticket(alice, tina, service_desk):  # noqa: ANN001, ANN201
    """Alice's request with her reply, an agent's answer, her attachment, a rating and a note."""
    ticket = ticket_services.ticket_create(
        requester=alice, subject="Alice's laptop at Elm Street 5", description="Call me on 0170 123", by=alice
    )
    ticket_services.message_add(ticket=ticket, author=alice, body="My address is Elm Street 5")
    ticket_services.message_add(ticket=ticket, author=tina, body="Hello Alice, we will call.")
    ticket_services.attachment_add(
        ticket=ticket,
        by=alice,
        file=SimpleUploadedFile("passport scan.pdf", b"%PDF alice", "application/pdf"),
    )
    ticket_services.ticket_resolve(ticket=ticket, by=tina, resolution="Called Alice at home")
    ticket.refresh_from_db()
    ticket_services.rating_create(ticket=ticket, by=alice, score=4, comment="Thanks, Alice")
    ticket.refresh_from_db()
    return ticket
