"""Contexts of the fragments this app puts on the agent ticket page (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from tickets.models import Ticket

from . import selectors
from .models import Escalation


def handoff_card_context(request: Any, ticket: Ticket) -> dict | None:
    """The handoff card above the timeline; hidden for tickets that were never escalated or consulted."""
    user = request.user
    if not selectors._is_agent(user):
        return None
    handoffs = list(selectors.handoffs_for(ticket))
    deescalations = list(selectors.deescalations_for(ticket))
    consults = list(selectors.consults_for(ticket))
    if not (handoffs or deescalations or consults):
        return None
    team_ids = set(user.teams.values_list("pk", flat=True))
    latest = handoffs[0] if handoffs else None
    can_decide = bool(
        latest
        and latest.status == Escalation.Status.PENDING
        and (user.is_supervisor or latest.to_team_id in team_ids)
    )
    return {
        "ticket": ticket,
        "latest": latest,
        "earlier": handoffs[1:],
        "deescalations": deescalations,
        "consults": consults,
        "can_decide": can_decide,
        "my_team_ids": team_ids,
    }


def actions_context(request: Any, ticket: Ticket) -> dict | None:
    if not selectors._is_agent(request.user) or not ticket.is_open:
        return None
    return {"ticket": ticket, "can_escalate": ticket.tier < 3, "can_deescalate": ticket.tier > 1}
