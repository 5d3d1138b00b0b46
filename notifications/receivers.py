"""Reacting to ticket events: the only way the core reaches this app."""

from __future__ import annotations

from typing import Any

from tickets.models import Ticket, TicketEvent

from . import inbox
from .services import notifications_for_batch, notifications_for_event


def on_event_recorded(
    sender: Any, *, ticket: Ticket, event: TicketEvent, history: bool = False, **kwargs: Any
) -> None:
    if history:
        # Replayed past (the demo's history): nobody is told, but a note's mentions are part of the record.
        inbox.mentions_record(ticket=ticket, event=event)
        return
    # Runs inside the change's transaction: the outbox rows commit or roll back with it.
    notifications_for_event(ticket=ticket, event=event)


def on_event_batch_prepared(
    sender: Any, *, pairs: list[tuple[Ticket, TicketEvent]], batch: int, history: bool = False, **kwargs: Any
) -> None:
    """Before a batch's events go out: its tickets' followers and its events' messages, read at once."""
    if not history:
        inbox.followers_preload(
            batch=batch,
            ticket_ids={ticket.pk for ticket, _event in pairs},
            message_ids={
                event.data["message"]
                for _ticket, event in pairs
                if event.kind in (TicketEvent.Kind.NOTE, TicketEvent.Kind.MESSAGE)
                and (event.data or {}).get("message")
            },
        )


def on_event_batch_recorded(
    sender: Any, *, events: list[TicketEvent], batch: int, history: bool = False, **kwargs: Any
) -> None:
    """After a batch of events (a bulk action's chunk): their deferred outbox rows, written at once."""
    if not history:
        inbox.inapp_flush(batch=batch)
        notifications_for_batch(batch=batch)
