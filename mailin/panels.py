from __future__ import annotations

from typing import Any

from tickets.models import reference_for
from tickets.selectors import ticket_visible_qs

from .models import InboundMail, Participant


def email_panel_context(request: Any, ticket: Any) -> dict | None:
    """Agents only: how each mail of this ticket was matched, which mails reuse the Message-ID of an
    earlier, different mail (with that mail's ticket when the agent may see it), and the offered
    participants."""
    if not (request.user.is_authenticated and request.user.is_agent):
        return None
    mails = list(
        InboundMail.objects.filter(ticket=ticket)
        .select_related("repeat_of")
        .only(
            "received_at",
            "from_address",
            "status",
            "reason",
            "message_id",
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
    return {"ticket": ticket, "inbound_mails": mails, "participants": participants}
