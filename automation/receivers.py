"""Reacting to ticket events: note them (no query), run the rules right after the change commits."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

from django.db import connection, transaction

from tickets.models import Ticket, TicketEvent

from . import services

_state = threading.local()


def _registered(callback: Any) -> bool:
    """Whether ``callback`` still waits for the commit (a rolled-back savepoint drops its callbacks)."""
    return any(entry[1] is callback for entry in connection.run_on_commit)


def on_event_recorded(
    sender: Any, *, ticket: Ticket, event: TicketEvent, history: bool = False, **kwargs: Any
) -> None:
    if history:
        return  # replayed past (imports, the demo's history): no rule reacts to it
    if event.kind not in services.TRIGGERING_KINDS:
        return  # notes, notifications sent, due times set, …: no trigger listens to them
    entry = (event.pk, services.current_chain())
    batch = getattr(_state, "batch", None)
    if batch is not None and connection.in_atomic_block and _registered(_state.callback):
        batch.append(entry)
        return
    # One callback per transaction for all its events (the SLA sweep records 500 at once).
    batch = [entry]
    callback = partial(_flush, batch)
    _state.batch, _state.callback = batch, callback
    transaction.on_commit(callback, robust=True)


def _flush(batch: list[tuple[int, tuple[int, ...]]]) -> None:
    if getattr(_state, "batch", None) is batch:
        # Done: later events start a batch of their own, even while this callback is still listed.
        _state.batch = _state.callback = None
    services.rules_run_for_events(list(batch))
