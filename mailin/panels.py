from __future__ import annotations

from typing import Any

from .models import InboundMail, Participant


def email_panel_context(request: Any, ticket: Any) -> dict | None:
    """Agents only: how each mail of this ticket was matched, and the offered participants."""
    if not (request.user.is_authenticated and request.user.is_agent):
        return None
    mails = list(
        InboundMail.objects.filter(ticket=ticket).only("received_at", "from_address", "status", "reason")[:20]
    )
    participants = list(Participant.objects.filter(ticket=ticket))
    if not mails and not participants:
        return None
    return {"ticket": ticket, "inbound_mails": mails, "participants": participants}
