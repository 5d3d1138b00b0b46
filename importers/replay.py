"""A ticket's history played in memory: status timeline, events and the counters the metrics read.

The same rules as ``tickets.services`` (a public agent reply is the first response and opens a new
ticket; a customer's reply after it is a follow-up and reopens a resolved ticket; resolve records
the tier and the agent; resolved/closed → open is a reopen), applied to the source's timestamps
instead of "now". Pure: no database, so it is cheap and testable on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tickets.models import Ticket, TicketEvent

Status = Ticket.Status
Kind = TicketEvent.Kind
OPEN = {Status.NEW, Status.OPEN, Status.PENDING}


@dataclass
class Step:
    """One thing that happened, in time order: a message (``message`` is its index) or a state change."""

    at: datetime
    actor: int | None = None  # our user id
    actor_is_agent: bool = False
    message: int | None = None
    internal: bool = False
    system: bool = False
    state: str | None = None  # our status this step moves to (after the message, if both)


@dataclass
class PlannedEvent:
    at: datetime
    kind: str
    actor: int | None = None
    field: str = ""
    old: str = ""
    new: str = ""
    message: int | None = None  # index of the planned message it belongs to


@dataclass
class Outcome:
    status: str = Status.NEW
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    resolved_by: int | None = None
    resolved_tier: int | None = None
    reopen_count: int = 0
    public_reply_count: int = 0
    customer_followup_count: int = 0
    last_at: datetime | None = None
    events: list[PlannedEvent] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "first_response_at": self.first_response_at,
            "resolved_at": self.resolved_at,
            "closed_at": self.closed_at,
            "resolved_by_id": self.resolved_by,
            "resolved_tier": self.resolved_tier,
            "reopen_count": self.reopen_count,
            "public_reply_count": self.public_reply_count,
            "customer_followup_count": self.customer_followup_count,
        }


def play(
    *,
    created_at: datetime,
    requester: int,
    channel: str,
    tier: int,
    steps: list[Step],
    final_state: str,
    final_at: datetime | None,
    resolved_at: datetime | None = None,
    closed_counts_as_resolved: bool = True,
) -> Outcome:
    out = Outcome(last_at=created_at)
    out.events.append(PlannedEvent(at=created_at, kind=Kind.CREATED, actor=requester, new=channel))

    def set_status(new: str, at: datetime, actor: int | None, actor_is_agent: bool) -> None:
        old = out.status
        if new == old:
            return
        kind = Kind.STATUS
        if new == Status.RESOLVED:
            out.resolved_at = at
            out.resolved_by = actor if actor_is_agent else None
            out.resolved_tier = tier
            kind = Kind.RESOLVED
        elif new == Status.CLOSED:
            out.closed_at = at
            kind = Kind.CLOSED
        elif old in (Status.RESOLVED, Status.CLOSED) and new in OPEN:
            out.reopen_count += 1
            out.closed_at = None
            kind = Kind.REOPENED
        out.status = new
        out.events.append(PlannedEvent(at=at, kind=kind, actor=actor, field="status", old=old, new=new))

    for step in sorted(steps, key=lambda s: s.at):
        at = max(step.at, created_at)
        out.last_at = max(out.last_at or at, at)
        if step.message is not None:
            if not step.internal and not step.system and step.actor_is_agent:
                out.public_reply_count += 1
                if out.first_response_at is None:
                    out.first_response_at = at
                if out.status == Status.NEW:
                    set_status(Status.OPEN, at, step.actor, True)
            elif not step.internal and not step.system:
                if out.first_response_at is not None:
                    out.customer_followup_count += 1
                if out.status in (Status.RESOLVED, Status.PENDING) and step.state is None:
                    set_status(Status.OPEN, at, step.actor, False)
            out.events.append(
                PlannedEvent(
                    at=at,
                    kind=Kind.NOTE if step.internal else Kind.MESSAGE,
                    actor=step.actor,
                    message=step.message,
                )
            )
        if step.state is not None:
            set_status(step.state, at, step.actor, step.actor_is_agent)

    end = max(final_at or out.last_at or created_at, created_at)
    done_at = max(resolved_at, created_at) if resolved_at else end
    finished = (Status.RESOLVED, Status.CLOSED)
    if (
        final_state in finished
        and out.status not in finished
        and (final_state == Status.RESOLVED or closed_counts_as_resolved)
    ):
        set_status(Status.RESOLVED, done_at, None, False)
    set_status(final_state, max(end, out.events[-1].at), None, False)
    out.last_at = max(out.last_at or end, out.events[-1].at)
    return out
