from __future__ import annotations

from typing import Any

from tickets.models import Attachment, reference_for
from tickets.selectors import ticket_visible_qs

from .models import InboundMail, Participant


def email_panel_context(request: Any, ticket: Any) -> dict | None:
    """Agents only: how each mail of this ticket was matched, the files kept from it, which mails reuse
    the Message-ID of an earlier, different mail (with that mail's ticket when the agent may see it), and
    the offered participants."""
    if not (request.user.is_authenticated and request.user.is_agent):
        return None
    mails = list(
        InboundMail.objects.filter(ticket=ticket)
        .select_related("repeat_of")
        .only(
            "received_at",
            "processed_at",
            "from_address",
            "status",
            "reason",
            "message_id",
            "ticket_message",
            "repeat_of__received_at",
            "repeat_of__ticket_id",
        )[:20]
    )
    participants = list(Participant.objects.filter(ticket=ticket))
    if not mails and not participants:
        return None
    earlier = {m.repeat_of.ticket_id for m in mails if m.repeat_of and m.repeat_of.ticket_id}
    visible = set(ticket_visible_qs(user=request.user).filter(pk__in=earlier).values_list("pk", flat=True))
    for m in mails:
        pk = m.repeat_of.ticket_id if m.repeat_of else None
        m.repeat_ticket = (pk, reference_for(pk)) if pk in visible else None
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
