"""Contexts of the fragments this app puts on the agent ticket page (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from tickets.models import Ticket

from . import kb, selectors
from .models import Consult, Escalation


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
    # Articles tried, by title: one query for every handoff on the card, only those the viewer may see.
    refs = kb.articles_by_id(user=user, ids={pk for h in handoffs for pk in h.articles_tried or ()})
    for h in handoffs:
        h.article_refs = [refs[pk] for pk in h.articles_tried or () if pk in refs]
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


def resolve_warning_context(request: Any, ticket: Ticket) -> dict | None:
    """In the resolve form: the consults still waiting for an answer (their answer would come too late)."""
    if not selectors._is_agent(request.user):
        return None
    names = list(ticket.consults.filter(status=Consult.Status.OPEN).values_list("team__name", flat=True))
    if not names:
        return None
    return {"open_count": len(names), "teams": ", ".join(dict.fromkeys(names))}
