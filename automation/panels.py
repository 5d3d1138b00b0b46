"""Fragments on the agent ticket page (registered in apps.py): the macro picker and the automation log."""

from __future__ import annotations

from typing import Any

from tickets.models import Ticket

from . import selectors
from .services import macro_visible_qs


def macro_picker_context(request: Any, ticket: Ticket) -> dict | None:
    user = request.user
    if not (user.is_authenticated and user.is_agent) or ticket.status == Ticket.Status.CLOSED:
        return None
    macros = list(macro_visible_qs(user=user).order_by("-shared", "name", "id"))
    if not macros:
        return None  # nothing to pick: no empty menu (Configuration → Macros is where they are made)
    return {"ticket": ticket, "macros": selectors.with_descriptions(macros)}


def run_log_context(request: Any, ticket: Ticket) -> dict | None:
    user = request.user
    if not (user.is_authenticated and user.is_agent):
        return None
    runs = selectors.runs_for_ticket(ticket=ticket, limit=20)
    if not runs:
        return None  # no panel for a ticket no rule or macro has touched
    return {"ticket": ticket, "runs": runs}
