"""The audit trail, and the one way the core triggers the other apps.

Every change of a ticket is recorded here as an immutable ``TicketEvent``;
then ``event_recorded`` is sent *inside the same transaction*. The sla,
notifications, escalation and knowledgebase apps connect receivers in their
``AppConfig.ready()`` (never the other way round), so whatever they write
(due times, outbox rows) commits or rolls back together with the change.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.dispatch import Signal
from django.utils.crypto import salted_hmac

from .models import Ticket, TicketEvent

# Sent with ``ticket``, ``event`` and ``history`` for every recorded event. ``history`` is True while past
# changes are replayed (``history_replay``): receivers that keep data right (SLA clocks, routing) run as
# always, those that reach people (mail, webhooks) send nothing for them.
event_recorded = Signal()

_replaying_history: ContextVar[bool] = ContextVar("tickets_replaying_history", default=False)

# Sent once after ``event_record_bulk`` has sent ``event_recorded`` for each of a batch's events (a bulk
# action's chunk), still inside the transaction, with ``events`` and ``batch`` (its number). A receiver may defer per-event work
# while ``in_event_batch()`` is true and do it here for the whole batch at once (the notifications app
# writes the batch's outbox rows with one INSERT and enqueues their delivery once).
event_batch_recorded = Signal()
# Sent once by ``event_record_bulk`` before ``event_recorded`` goes out for the batch's events, with
# ``pairs`` (ticket, event) and ``batch``: a receiver that keeps data right may do its per-event work
# for the whole batch here, set-based, so that every receiver of ``event_recorded`` already sees it (the
# SLA clock moves a chunk's clocks with one read and one write, and skips the batch's events after).
event_batch_prepared = Signal()
_in_batch: ContextVar[int] = ContextVar("tickets_in_event_batch", default=0)
_batch_numbers = itertools.count(1)


def in_event_batch() -> int:
    """While ``event_recorded`` is being sent for the events of one ``event_record_bulk``: that batch's
    number (a different one for every batch, so a receiver can tell them apart); else 0."""
    return _in_batch.get()


@contextmanager
def history_replay() -> Iterator[None]:
    """Changes inside are history being played (the demo's past, ``seed_demo``): recorded like any other
    change, but nobody is told about them."""
    token = _replaying_history.set(True)
    try:
        yield
    finally:
        _replaying_history.reset(token)


def replaying_history() -> bool:
    """Whether the changes now are history being played (see ``history_replay``)."""
    return _replaying_history.get()


# How the values of other apps' events read in the timeline, registered in their ``AppConfig.ready()``
# (the core cannot know them): ``{event kind: {stored value: lazy label}}``, e.g. the notifications
# app's mail kinds for ``notification`` events ("new_in_queue" → "New in your team's queue").
event_value_labels: dict[str, dict[str, Any]] = {}


def event_record(
    *,
    ticket: Ticket,
    kind: str,
    actor: Any = None,
    field: str = "",
    old: object = "",
    new: object = "",
    data: dict | None = None,
) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        data={**(data or {}), "version": ticket.version},
    )
    event_recorded.send(sender=TicketEvent, ticket=ticket, event=event, history=_replaying_history.get())
    return event


def event_record_many(
    *, kind: str, entries: list[tuple[Ticket, dict]], actor: Any = None
) -> list[TicketEvent]:
    """``event_record`` for many tickets at once (the SLA sweep): one INSERT, then the signal per event."""
    events = TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=ticket,
            kind=kind,
            actor=actor if getattr(actor, "pk", None) else None,
            data={**data, "version": ticket.version},
        )
        for ticket, data in entries
    )
    for (ticket, _data), event in zip(entries, events, strict=True):
        event_recorded.send(sender=TicketEvent, ticket=ticket, event=event, history=_replaying_history.get())
    return events


def event_record_bulk(*, entries: list[tuple[Ticket, dict]], actor: Any = None) -> list[TicketEvent]:
    """Events of several kinds for many tickets (a bulk action's chunk): one INSERT, then the signal per
    event in order. Each entry is ``(ticket, {"kind", "field", "old", "new", "data"})``."""
    actor_obj = actor if getattr(actor, "pk", None) else None
    events = TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=ticket,
            kind=e["kind"],
            actor=actor_obj,
            field=e.get("field", ""),
            old_value=_text(e.get("old", "")),
            new_value=_text(e.get("new", "")),
            data={**(e.get("data") or {}), "version": ticket.version},
        )
        for ticket, e in entries
    )
    batch = next(_batch_numbers)
    token = _in_batch.set(batch)
    try:
        event_batch_prepared.send(
            sender=TicketEvent,
            pairs=[(ticket, event) for (ticket, _e), event in zip(entries, events, strict=True)],
            batch=batch,
            history=_replaying_history.get(),
        )
        for (ticket, _e), event in zip(entries, events, strict=True):
            event_recorded.send(
                sender=TicketEvent, ticket=ticket, event=event, history=_replaying_history.get()
            )
    finally:
        _in_batch.reset(token)
    event_batch_recorded.send(
        sender=TicketEvent, events=events, batch=batch, history=_replaying_history.get()
    )
    return events


def portal_session_digest(session_key: str) -> str:
    """The browser session a portal request came from, as it may appear in event data: a keyed
    digest, never the session key itself (event data is shown to agents and in the API)."""
    return salted_hmac("tickets.portal_session", session_key, algorithm="sha256").hexdigest()


def _text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(getattr(value, "pk", ""))
    return str(value)[:200]
