"""Reads. Visibility lives here, in one selector per model, used by every page, API and export."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import Attachment, Category, Message, Ticket, TicketEvent


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
