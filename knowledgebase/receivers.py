"""Reactions to ticket events (connected in KnowledgebaseConfig.ready)."""

from __future__ import annotations

from typing import Any

from tickets.models import Ticket, TicketEvent

from .models import Article
from .services import article_link_ticket, deflections_mark_submitted


def link_article_on_resolve(*, ticket: Ticket, event: TicketEvent, **kwargs: Any) -> None:
    """A ticket resolved with ``article`` (API: resolve {"article": id}) is linked to that article."""
    if event.kind != TicketEvent.Kind.RESOLVED:
        return
    article_id = (event.data or {}).get("article")
    if not article_id:
        return
    article = Article.objects.filter(pk=article_id).first()
    if article is not None:
        article_link_ticket(article=article, ticket=ticket, by=event.actor)


def unmark_deflections_on_portal_submit(*, ticket: Ticket, event: TicketEvent, **kwargs: Any) -> None:
    """A request submitted from the portal: the same session's earlier deflections were no deflections."""
    if event.kind != TicketEvent.Kind.CREATED:
        return
    digest = (event.data or {}).get("portal_session")
    if digest:
        deflections_mark_submitted(ticket=ticket, session_digest=digest, at=event.created_at)
