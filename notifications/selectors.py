"""Reads of the notifications app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tickets.models import Ticket

from .models import Notification

PANEL_LIMIT = 50


def notification_list_for_ticket(*, user: Any, ticket: Ticket) -> QuerySet[Notification]:
    """Delivery status of a ticket's notifications: agents only (addresses are contact data)."""
    if not (user and user.is_authenticated and user.is_agent):
        return Notification.objects.none()
    return (
        Notification.objects.filter(ticket=ticket)
        .select_related("recipient")
        .defer("body_text", "body_html")  # the panel and the API never show bodies
        .order_by("-id")
    )


def delivery_panel_context(request: Any, ticket: Ticket) -> dict | None:
    """Context of the agent ticket page's side panel; None (hidden) for anyone but agents."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_agent):
        return None
    return {"notifications": list(notification_list_for_ticket(user=user, ticket=ticket)[:PANEL_LIMIT])}
