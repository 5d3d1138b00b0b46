from __future__ import annotations

from typing import Any

from tickets.models import Attachment

from .models import InboundMail, Participant


def email_panel_context(request: Any, ticket: Any) -> dict | None:
    """Agents only: how each mail of this ticket was matched, the files kept from it, and the
    offered participants."""
    if not (request.user.is_authenticated and request.user.is_agent):
        return None
    mails = list(
        InboundMail.objects.filter(ticket=ticket).only(
            "received_at", "processed_at", "from_address", "status", "reason", "ticket_message"
        )[:20]
    )
    participants = list(Participant.objects.filter(ticket=ticket))
    if not mails and not participants:
        return None
    _attach_parts(ticket, mails)
    return {"ticket": ticket, "inbound_mails": mails, "participants": participants}


def _attach_parts(ticket: Any, mails: list[InboundMail]) -> None:
    """``mail.parts``: a reply's files are its message's; the mail that opened the ticket owns the
    files without a message that were stored while it was processed."""
    files = list(Attachment.objects.filter(ticket=ticket, internal=False).order_by("created_at", "id"))
    for mail in mails:
        if mail.ticket_message_id:
            mail.parts = [a for a in files if a.message_id == mail.ticket_message_id]  # type: ignore[attr-defined]
        else:
            mail.parts = [  # type: ignore[attr-defined]
                a
                for a in files
                if a.message_id is None and mail.processed_at and a.created_at <= mail.processed_at
            ]
