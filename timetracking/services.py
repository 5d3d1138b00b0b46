"""Writes on time entries and timers. Views, the API and the ticket page's timer all call these."""

from __future__ import annotations

import math
import re
from datetime import date as Date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Ticket

from .models import MAX_MINUTES, RunningTimer, TimeEntry

DURATION_NOT_UNDERSTOOD = _('Enter a duration such as "45", "1:30", "1h 30m" or "1.5h".')
DURATION_TOO_SHORT = _("A time entry is at least one minute.")
DURATION_TOO_LONG = _("A time entry is at most 24 hours; split longer work by day.")
DATE_IN_FUTURE = _("The date cannot be in the future.")
DATE_BEFORE_TICKET = _("The date cannot be before the ticket was created.")
NOT_YOUR_ENTRY = _("Only supervisors can change other agents' time entries.")

_UNSET: Any = object()

_HM = re.compile(r"^(\d{1,3}):([0-5]\d)$")
_UNITS = re.compile(
    r"^(?:(\d+(?:[.,]\d+)?)\s*(?:h|hrs?|hours?|std\.?|stunden?))?\s*(?:(\d+)\s*(?:m|mins?|minutes?|minuten?))?$",
    re.IGNORECASE,
)


def parse_duration(text: str) -> int:
    """Minutes from what a person types: "45" (minutes), "1:30", "1h 30m", "1.5h", "1,5 Std", "20 min".

    Raises ValueError for anything else. Range checks are ``validate_entry``'s job."""
    text = (text or "").strip()
    if not text:
        raise ValueError(text)
    if text.isdigit():
        return int(text)
    if m := _HM.match(text):
        return int(m.group(1)) * 60 + int(m.group(2))
    m = _UNITS.match(text)
    if not m or not (m.group(1) or m.group(2)):
        raise ValueError(text)
    hours = float(m.group(1).replace(",", ".")) if m.group(1) else 0.0
    return round(hours * 60) + (int(m.group(2)) if m.group(2) else 0)


def local_today() -> Date:
    return timezone.localdate()


def validate_entry(*, ticket: Ticket, minutes: int | None, date: Date | None) -> None:
    """Field errors for a duration or a date that cannot be right; nothing is saved when one fails."""
    errors: dict[str, list[Any]] = {}
    if minutes is not None:
        if minutes < 1:
            errors["minutes"] = [DURATION_TOO_SHORT]
        elif minutes > MAX_MINUTES:
            errors["minutes"] = [DURATION_TOO_LONG]
    if date is not None:
        if date > local_today():
            errors["date"] = [DATE_IN_FUTURE]
        elif date < timezone.localtime(ticket.created_at).date():
            errors["date"] = [DATE_BEFORE_TICKET]
    if errors:
        raise ValidationError(errors)


def can_change(*, entry: TimeEntry, user: Any) -> bool:
    """An agent changes their own entries; supervisors everybody's."""
    return bool(user.is_supervisor or entry.agent_id == user.pk)


def _ticket_now(ticket: Ticket) -> dict[str, Any]:
    """The ticket's tier, team and requester as they are now (the page's copy may be older)."""
    tier, team_id, customer_id = Ticket.objects.values_list("tier", "team_id", "requester_id").get(
        pk=ticket.pk
    )
    return {"tier": tier, "team_id": team_id, "customer_id": customer_id}


@transaction.atomic
def time_entry_create(
    *,
    ticket: Ticket,
    by: Any,
    minutes: int,
    date: Date | None = None,
    note: str = "",
    billable: bool = False,
    source: str = TimeEntry.Source.MANUAL,
) -> TimeEntry:
    """Work on ``ticket`` by ``by``, stamped with the ticket's current tier and team."""
    date = date or local_today()
    validate_entry(ticket=ticket, minutes=minutes, date=date)
    return TimeEntry.objects.create(
        ticket=ticket,
        agent=by,
        **_ticket_now(ticket),
        date=date,
        minutes=minutes,
        note=note.strip(),
        billable=billable,
        source=source,
    )


@transaction.atomic
def time_entry_update(
    *,
    entry: TimeEntry,
    by: Any,
    minutes: int = _UNSET,
    date: Date = _UNSET,
    note: str = _UNSET,
    billable: bool = _UNSET,
) -> TimeEntry:
    if not can_change(entry=entry, user=by):
        raise PermissionDenied(NOT_YOUR_ENTRY)
    entry = TimeEntry.objects.select_for_update().select_related("ticket").get(pk=entry.pk)
    validate_entry(
        ticket=entry.ticket,
        minutes=None if minutes is _UNSET else minutes,
        date=None if date is _UNSET else date,
    )
    fields = []
    for name, value in (("minutes", minutes), ("date", date), ("note", note), ("billable", billable)):
        if value is not _UNSET:
            setattr(entry, name, value.strip() if name == "note" else value)
            fields.append(name)
    if fields:
        entry.updated_at = timezone.now()
        entry.save(update_fields=[*fields, "updated_at"])
    return entry


@transaction.atomic
def time_entry_delete(*, entry: TimeEntry, by: Any) -> None:
    if not can_change(entry=entry, user=by):
        raise PermissionDenied(NOT_YOUR_ENTRY)
    entry.delete()


def timer_minutes(started_at: Any, now: Any) -> int:
    """A started minute counts; a timer left running longer than a day is cut at the maximum."""
    seconds = max((now - started_at).total_seconds(), 0)
    return min(max(math.ceil(seconds / 60), 1), MAX_MINUTES)


@transaction.atomic
def timer_stop(*, by: Any, note: str = "", billable: bool = False) -> TimeEntry | None:
    """Stops the agent's timer into an entry dated the day it started. None when no timer runs
    (a second tab that stops it again changes nothing)."""
    timer = RunningTimer.objects.select_for_update().select_related("ticket").filter(agent=by).first()
    if timer is None:
        return None
    now = timezone.now()
    started = timer.started_at
    ticket = timer.ticket
    timer.delete()
    return TimeEntry.objects.create(
        ticket=ticket,
        agent=by,
        **_ticket_now(ticket),
        date=timezone.localtime(started).date(),
        minutes=timer_minutes(started, now),
        note=note.strip(),
        billable=billable,
        source=TimeEntry.Source.TIMER,
    )


@transaction.atomic
def timer_start(*, ticket: Ticket, by: Any) -> tuple[RunningTimer, TimeEntry | None]:
    """Starts the agent's timer on ``ticket``. Already running there: unchanged. Running on another
    ticket: that one is stopped into an entry first (returned), so time is never counted twice."""
    current = RunningTimer.objects.select_for_update().filter(agent=by).first()
    if current is not None and current.ticket_id == ticket.pk:
        return current, None
    stopped = timer_stop(by=by) if current is not None else None
    try:
        with transaction.atomic():
            timer = RunningTimer.objects.create(agent=by, ticket=ticket)
    except IntegrityError:  # another tab started one at the same moment: that one wins
        timer = RunningTimer.objects.get(agent=by)
    return timer, stopped


@transaction.atomic
def timer_discard(*, by: Any) -> bool:
    """Throws the running timer away without an entry (started by mistake)."""
    deleted, _rows = RunningTimer.objects.filter(agent=by).delete()
    return bool(deleted)
