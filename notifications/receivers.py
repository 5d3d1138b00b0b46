"""Reacting to ticket events: the only way the core reaches this app."""

from __future__ import annotations

from typing import Any

from tickets.models import Ticket, TicketEvent

from .services import notifications_for_event


def on_event_recorded(sender: Any, *, ticket: Ticket, event: TicketEvent, **kwargs: Any) -> None:
    # Runs inside the change's transaction: the outbox rows commit or roll back with it.
    notifications_for_event(ticket=ticket, event=event)
