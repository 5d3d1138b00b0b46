"""The agents' chat inbox page. Everything live on it goes over the agent WebSocket (consumers.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tickets.views import agent_required

from .models import AgentChatStatus


@agent_required
def inbox(request: HttpRequest) -> HttpResponse:
    status = AgentChatStatus.objects.filter(agent=request.user).first()
    strings = {
        "connected": _("Connected"),
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "accept": _("Accept"),
        "open": _("Show chat"),
        "offered": _("Offered to you"),
        "waiting_since": _("waiting since %(time)s"),
        "typing": _("%(name)s is typing…"),
        "customer": _("Customer"),
        "ended": _("This chat has ended."),
        "new_chat": _("A customer is waiting for a chat."),
        "you": _("You"),
    }
    return render(
        request, "chat/inbox.html", {"available": bool(status and status.available), "strings": strings}
    )
