"""Reads. Visibility lives here, in one selector per model, used by every page, API and export."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Attachment, Category, Message, Ticket, TicketEvent

# Text search configuration of the ticket search indexes (migration 0002_api_ticket_search).
SEARCH_CONFIG = "simple"


def _is_agent(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_agent)


def ticket_visible_qs(*, user: Any) -> QuerySet[Ticket]:
    """Tickets this user may see: agents all, customers their own, anonymous none."""
    qs = Ticket.objects.all()
    if not (user and user.is_authenticated):
        return qs.none()
    if user.is_agent:
        return qs
    return qs.filter(requester=user)


def ticket_get_for_user(*, user: Any, pk: int | str, for_update: bool = False) -> Ticket:
    """The ticket, or 404 exactly as for an id that does not exist."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    qs = ticket_visible_qs(user=user).select_related("requester", "team", "assignee", "category")
    try:
        return qs.get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def requester_open_tickets(*, user: Any, requester: Any, limit: int = 10) -> list[Ticket]:
    """The requester's open tickets that ``user`` may see, newest first (log a call: add to one of these)."""
    qs = ticket_visible_qs(user=user).filter(requester=requester, status__in=Ticket.OPEN_STATUSES)
    return list(qs.order_by("-id")[:limit])


def message_visible_qs(*, user: Any, ticket: Ticket) -> QuerySet[Message]:
    qs = ticket.messages.select_related("author")
    return qs if _is_agent(user) else qs.filter(internal=False)


def attachment_visible_qs(*, user: Any, ticket: Ticket) -> QuerySet[Attachment]:
    qs = ticket.attachments.all()
    return qs if _is_agent(user) else qs.filter(internal=False)


def event_visible_qs(*, user: Any, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The audit trail is for agents only."""
    if not _is_agent(user):
        return TicketEvent.objects.none()
    return ticket.events.select_related("actor")


def category_tree() -> list[Category]:
    """Categories in tree order with ``depth`` set, for pickers."""
    by_parent: dict[int | None, list[Category]] = {}
    for cat in Category.objects.order_by("name"):
        by_parent.setdefault(cat.parent_id, []).append(cat)
    out: list[Category] = []

    def walk(parent: int | None, depth: int) -> None:
        for cat in by_parent.get(parent, []):
            cat.depth = depth  # type: ignore[attr-defined]
            out.append(cat)
            walk(cat.pk, depth + 1)

    walk(None, 0)
    return out


def ticket_search(*, qs: QuerySet[Ticket], user: Any, q: str) -> QuerySet[Ticket]:
    """``qs`` narrowed to tickets whose subject, description or visible messages match ``q``.

    PostgreSQL: full text search ('simple' configuration, so German and English alike) through the
    GIN expression indexes of migration 0002_api_ticket_search; the two matches are combined with a
    UNION so each side uses its own index. Elsewhere (SQLite): substring match.
    Customers never match on internal notes (that would reveal what they say).
    """
    q = q.strip()
    if not q:
        return qs
    messages = message_search_scope(user=user)
    # Search inside what the caller may see and has filtered to (a customer's few tickets), not
    # the whole table: the ticket side filters ``qs`` itself, the message side joins to it.
    scope = qs.order_by().values("id")
    if qs.query.where:
        messages = messages.filter(ticket_id__in=scope)
    if connection.vendor == "postgresql":
        query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
        in_ticket = (
            qs.annotate(_sv=SearchVector("subject", "description", config=SEARCH_CONFIG))
            .filter(_sv=query)
            .order_by()
            .values("id")
        )
        in_messages = (
            messages.annotate(_sv=SearchVector("body", config=SEARCH_CONFIG))
            .filter(_sv=query)
            .order_by()
            .values("ticket_id")
        )
        return qs.filter(pk__in=in_ticket.union(in_messages))
    return qs.filter(
        Q(subject__icontains=q)
        | Q(description__icontains=q)
        | Q(pk__in=messages.filter(body__icontains=q).order_by().values("ticket_id"))
    )


def message_search_scope(*, user: Any) -> QuerySet[Message]:
    """Messages whose text may make a ticket match a search by ``user``."""
    qs = Message.objects.all()
    return qs if _is_agent(user) else qs.filter(internal=False)
