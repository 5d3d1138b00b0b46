from __future__ import annotations

from typing import Any

from .services import deliveries_for_event


def on_ticket_event(sender: Any, ticket: Any, event: Any, history: bool = False, **kwargs: Any) -> None:
    if history:
        return  # replayed past (the demo's history): no integration hears of it
    deliveries_for_event(ticket=ticket, event=event)
