"""Context of the knowledge base's panels on the agent ticket page (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Value, When

from tickets.models import Ticket

from .models import ArticleTicketLink
from .search import search
from .selectors import (
    article_published_qs,
    canned_response_qs,
    checklist_for_ticket,
    checklist_ticked_ids,
    is_agent,
)

PANEL_SUGGESTIONS = 5


def articles_context(request: Any, ticket: Ticket) -> dict | None:
    if not is_agent(request.user):
        return None
    hits = search(
        qs=article_published_qs(user=request.user),
        query=f"{ticket.subject} {ticket.description}",
        language=ticket.language,
        limit=PANEL_SUGGESTIONS,
    )
    linked = set(ArticleTicketLink.objects.filter(ticket=ticket).values_list("article_id", flat=True))
    return {"ticket": ticket, "kb_hits": hits, "kb_linked_ids": linked}


def checklist_context(request: Any, ticket: Ticket) -> dict | None:
    if not is_agent(request.user):
        return None
    checklist = checklist_for_ticket(ticket=ticket)
    if checklist is None:
        return None
    return {"ticket": ticket, "checklist": checklist, "ticked_ids": checklist_ticked_ids(ticket=ticket)}


def canned_context(request: Any, ticket: Ticket) -> dict | None:
    if not is_agent(request.user):
        return None
    responses = list(
        canned_response_qs(user=request.user)
        .annotate(
            same_language=Case(
                When(language=ticket.language, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("same_language", "title")
    )
    if not responses:
        return None
    return {"ticket": ticket, "canned_responses": responses}


def from_ticket_context(request: Any, ticket: Ticket) -> dict | None:
    if not is_agent(request.user) or ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        return None
    return {"ticket": ticket}
