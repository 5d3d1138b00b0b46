from __future__ import annotations

from typing import Any

from .services import deliveries_for_event


def on_ticket_event(sender: Any, ticket: Any, event: Any, **kwargs: Any) -> None:
    deliveries_for_event(ticket=ticket, event=event)
