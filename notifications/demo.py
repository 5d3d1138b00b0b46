"""Demo data of the notifications app: ``seed_demo`` calls ``after_history()`` once, after the demo's tickets.

A colleague mentions the tier-1 demo agent (``agent1``) in a note on an open ticket, so the first sign-in
shows a mention on the ticket page, an unread item behind "Notifications" and the ticket followed. The note
is history like the rest (nobody is mailed); the in-app item is written here.
"""

from __future__ import annotations

from accounts.models import User
from tickets.models import Ticket, TicketEvent
from tickets.services import message_add

from . import inbox
from .mentions import token
from .models import Topic


def after_history() -> None:
    agent1 = User.objects.filter(username="agent1").first()
    agent2 = User.objects.filter(username="agent2").first()
    ticket = Ticket.objects.filter(status=Ticket.Status.OPEN, tier=2).order_by("-id").first()
    if not (agent1 and agent2 and ticket):
        return
    text = {
        "de": "{who} der Kunde nutzt noch einen alten Client. Kannst du ihn anrufen und das Update begleiten?",
        "en": "{who} the customer still runs an old client. Could you call them and walk them through the update?",
    }[ticket.language if ticket.language in ("de", "en") else "en"]
    message_add(ticket=ticket, author=agent2, body=text.format(who=token(user=agent1)), internal=True)
    event = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.NOTE).order_by("-id").first()
    inbox.inapp_write(
        ticket=ticket,
        event=event,
        items=[(agent1, Topic.MENTIONED, text.format(who="@" + agent1.get_full_name()))],
    )
    inbox.ticket_follow(ticket=ticket, user=agent1)
