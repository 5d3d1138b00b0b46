"""Reads for the browser UI: the agent queues (keyset-paginated, never counted) and ticket timelines.

Every read starts from the visibility selectors in ``tickets.selectors``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User

from .events import event_value_labels
from .models import Level, Priority, Ticket, TicketEvent
from .panels import message_body_renderers
from .selectors import (
    attachment_visible_qs,
    event_visible_qs,
    message_visible_qs,
    ticket_search,
    ticket_visible_qs,
)

# Sort keys: (field, descending, nullable). The last key is always the unique id, which makes keysets exact.
SORTS: dict[str, list[tuple[str, bool, bool]]] = {
    "newest": [("id", True, False)],
    "oldest": [("id", False, False)],
    "resolution_due": [("resolution_due", False, True), ("id", False, False)],
    "first_response_due": [("first_response_due", False, True), ("id", False, False)],
    "priority": [("priority", False, False), ("id", True, False)],
    "updated": [("updated_at", True, False), ("id", True, False)],
}
DATETIME_FIELDS = {"resolution_due", "first_response_due", "updated_at"}


@dataclass
class QueuePage:
    rows: list[Ticket]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, keys: list[tuple[str, bool, bool]]) -> list[Any] | None:
    """The cursor's values, or None when it is malformed or belongs to another sort (then: first page)."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    out: list[Any] = []
    for (name, _desc, nullable), value in zip(keys, values, strict=True):
        if value is None:
            if not nullable:
                return None
            out.append(None)
        elif name in DATETIME_FIELDS:
            try:
                out.append(datetime.fromisoformat(value))
            except (TypeError, ValueError):
                return None
        elif name == "id":
            if not isinstance(value, int):
                return None
            out.append(value)
        else:
            out.append(str(value))
    return out


def _after(keys: list[tuple[str, bool, bool]], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in the order of ``keys`` (NULLs of a nullable key sort last)."""
    (name, desc, nullable), value = keys[0], values[0]
    if len(keys) == 1:
        return Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
    rest = _after(keys[1:], values[1:])
    if value is None:
        return Q(**{f"{name}__isnull": True}) & rest
    q = Q(**{f"{name}__{'lt' if desc else 'gt'}": value}) | (Q(**{name: value}) & rest)
    if nullable:
        q |= Q(**{f"{name}__isnull": True})
    return q


def agent_queue(
    *, user: Any, tab: str, filters: dict[str, Any], sort: str, cursor: str, limit: int
) -> QueuePage:
    """One page of an agent queue. Fetches ``limit + 1`` rows to know whether there is a next page."""
    qs: QuerySet[Ticket] = ticket_visible_qs(user=user).select_related(
        "requester", "team", "assignee", "category"
    )
    if tab == "mine":
        qs = qs.filter(assignee=user)
    elif tab == "team":
        qs = qs.filter(team__in=user.teams.values("pk"))
    elif tab == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    status = filters.get("status")
    qs = qs.filter(status=status) if status else qs.filter(status__in=Ticket.OPEN_STATUSES)
    for name in ("tier", "team", "priority", "category"):
        if filters.get(name) not in (None, ""):
            qs = qs.filter(**{name: filters[name]})
    # The search box: the same search as the API's ``q`` (text, reference, requester's email), in the
    # queue's chosen order.
    qs = ticket_search(qs=qs, user=user, q=filters.get("q") or "")
    keys = SORTS.get(sort) or SORTS["newest"]
    values = _decode(cursor, keys) if cursor else None
    if values is not None:
        qs = qs.filter(_after(keys, values))
    order = [
        (F(name).desc(nulls_last=True) if desc else F(name).asc(nulls_last=True))
        if nullable
        else (f"-{name}" if desc else name)
        for name, desc, nullable in keys
    ]
    rows = list(qs.order_by(*order)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode([getattr(rows[-1], name) for name, _d, _n in keys])
    return QueuePage(rows=rows, next_cursor=next_cursor)


def agent_landing_tab(*, user: Any) -> str:
    """The queue tab where an agent's work is: their own open tickets, else the unassigned ones
    waiting in their teams, else their own (empty) tab. Two EXISTS queries at most."""
    open_qs = ticket_visible_qs(user=user).filter(status__in=Ticket.OPEN_STATUSES)
    if open_qs.filter(assignee=user).exists():
        return "mine"
    if open_qs.filter(assignee__isnull=True, team__in=user.teams.values("pk")).exists():
        return "unassigned"
    return "mine"


# --- Timeline ----------------------------------------------------------------

# Messages and attachments are shown themselves; their events would only repeat them.
_EVENTS_SHOWN_AS_ENTRIES = {TicketEvent.Kind.MESSAGE, TicketEvent.Kind.NOTE, TicketEvent.Kind.ATTACHMENT}


def _value_label(field: str, value: str) -> str:
    choices: dict[str, Any] = {
        "status": Ticket.Status,
        "priority": Priority,
        "impact": Level,
        "urgency": Level,
        "channel": Ticket.Channel,
    }
    if value in ("", None):
        return value
    if field == "tier":
        return _("Tier %(tier)s") % {"tier": value}
    enum = choices.get(field)
    if enum is None:
        return value
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def event_display_names(events: Iterable[TicketEvent]) -> dict[str | int, str]:
    """Full names of the people events name: assignee events by username, notification events by the
    recipient's id (``data.recipient``). One query for all of them."""
    events = list(events)
    usernames = {v for e in events if e.field == "assignee" for v in (e.old_value, e.new_value) if v}
    ids = {
        e.data.get("recipient")
        for e in events
        if e.kind == TicketEvent.Kind.NOTIFICATION and isinstance(e.data.get("recipient"), int)
    }
    if not usernames and not ids:
        return {}
    users = User.objects.filter(Q(username__in=usernames) | Q(pk__in=ids)).only(
        "username", "first_name", "last_name"
    )
    names: dict[str | int, str] = {}
    for u in users:
        names[u.username] = names[u.pk] = u.get_full_name() or u.username
    return names


def event_text(event: TicketEvent, names: dict[str | int, str] | None = None) -> str:
    """One line describing an event, in the active language: values shown as their labels, people by
    their full names (``names`` from ``event_display_names``; looked up here when not given)."""
    registered = event_value_labels.get(event.kind, {})
    names = names if names is not None else event_display_names([event])
    if event.field == "assignee":
        old, new = names.get(event.old_value, event.old_value), names.get(event.new_value, event.new_value)
    else:
        old = _value_label(event.field, event.old_value)
        new = _value_label(event.field, event.new_value)
        old, new = str(registered.get(old, old)), str(registered.get(new, new))
    # Not get_kind_display(): that hashes every lazy label of the choices (~0.5 ms an event).
    try:
        label = TicketEvent.Kind(event.kind).label
    except ValueError:
        label = event.kind
    if event.kind == TicketEvent.Kind.CREATED:
        return _("Created via %(channel)s") % {"channel": _value_label("channel", event.new_value)}
    if event.kind == TicketEvent.Kind.RATED and new:
        return _("Rated: %(score)s of 5") % {"score": new}
    recipient = (
        names.get((event.data or {}).get("recipient"))
        if event.kind == TicketEvent.Kind.NOTIFICATION
        else None
    )
    if recipient and new:
        return _("%(label)s: %(kind)s, to %(name)s") % {"label": label, "kind": new, "name": recipient}
    if old and new:
        return f"{label}: {old} → {new}"
    if new:
        return f"{label}: {new}"
    if old:
        return _("%(label)s: %(old)s removed") % {"label": label, "old": old}
    return str(label)


@dataclass
class Entry:
    kind: str  # "message" | "event" | "attachment"
    at: datetime
    obj: Any
    attachments: list[Any]
    text: str = ""
    body_html: Any = None  # a message body as a registered renderer shows it (tickets.panels)


def ticket_timeline(*, user: Any, ticket: Ticket) -> list[Entry]:
    """Messages, attachments and (for agents) events in time order: four queries, whatever their number.

    Customers get public messages and public attachments only: the selectors filter them.
    """
    attachments = list(attachment_visible_qs(user=user, ticket=ticket).select_related("uploaded_by"))
    by_message: dict[int, list[Any]] = {}
    loose = []
    for a in attachments:
        if a.message_id:
            by_message.setdefault(a.message_id, []).append(a)
        else:
            loose.append(a)
    entries: list[Entry] = [
        Entry("message", m.created_at, m, by_message.get(m.pk, []))
        for m in message_visible_qs(user=user, ticket=ticket)
    ]
    rendered: dict[int, Any] = {}
    for renderer in message_body_renderers:
        rendered.update(renderer([e.obj for e in entries]))
    for entry in entries:
        entry.body_html = rendered.get(entry.obj.pk)
    entries += [Entry("attachment", a.created_at, a, [a]) for a in loose]
    events = list(event_visible_qs(user=user, ticket=ticket).exclude(kind__in=_EVENTS_SHOWN_AS_ENTRIES))
    names = event_display_names(events)
    entries += [Entry("event", e.created_at, e, [], event_text(e, names)) for e in events]
    order = {"event": 0, "message": 1, "attachment": 2}
    entries.sort(key=lambda e: (e.at, order[e.kind], e.obj.pk))
    return entries


CUSTOMER_SUGGESTIONS = 10


def customer_suggestions(*, text: str) -> list[User]:
    """Customers whose username, email or name starts with ``text`` (for the phone-log picker)."""
    text = text.strip()[:100]
    if len(text) < 2:
        return []
    match = (
        Q(username__istartswith=text)
        | Q(email__istartswith=text)
        | Q(first_name__istartswith=text)
        | Q(last_name__istartswith=text)
    )
    return list(
        User.objects.filter(match, role=User.Role.CUSTOMER, is_active=True)
        .order_by("username")
        .only("username", "email", "first_name", "last_name")[:CUSTOMER_SUGGESTIONS]
    )
