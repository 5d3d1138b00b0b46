"""Reads for the browser UI: the agent queues (keyset-paginated, never counted) and ticket timelines.

Every read starts from the visibility selectors in ``tickets.selectors``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User

from .events import event_value_labels
from .models import Level, Priority, Ticket, TicketEvent, reference_for
from .panels import message_body_renderers
from .selectors import (
    attachment_visible_qs,
    event_visible_qs,
    merged_source_ids,
    message_visible_qs,
    ticket_search,
    ticket_search_first_in_order,
    ticket_tagged,
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


# Columns the queue can show (a saved view chooses some, in this order), with their headers.
QUEUE_COLUMNS: dict[str, Any] = {
    "reference": gettext_lazy("Ticket"),
    "subject": gettext_lazy("Subject"),
    "priority": gettext_lazy("Priority"),
    "status": gettext_lazy("Status"),
    "tier_team": gettext_lazy("Tier / team"),
    "assignee": gettext_lazy("Assignee"),
    "requester": gettext_lazy("Requester"),
    "category": gettext_lazy("Category"),
    "channel": gettext_lazy("Channel"),
    "tags": gettext_lazy("Tags"),
    "sla_state": gettext_lazy("SLA"),
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "due": gettext_lazy("Due"),
}
DEFAULT_COLUMNS = ["reference", "subject", "priority", "status", "tier_team", "assignee", "requester", "due"]
# Columns that stay on a 390 px screen; the others are hidden there (``hide-sm``).
NARROW_COLUMNS = {"reference", "subject", "priority", "status", "due"}


def queue_columns(keys: Iterable[str]) -> list[dict[str, Any]]:
    """The columns to render, in the fixed order of QUEUE_COLUMNS (unknown keys dropped)."""
    wanted = set(keys)
    return [
        {"key": key, "label": label, "narrow": key in NARROW_COLUMNS}
        for key, label in QUEUE_COLUMNS.items()
        if key in wanted
    ] or queue_columns(DEFAULT_COLUMNS)


@dataclass
class QueuePage:
    rows: list[Ticket]
    next_cursor: str | None
    previous_cursor: str | None = (
        None  # the page before (the API's ``previous``; the queue links "First page")
    )


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


def _before(keys: list[tuple[str, bool, bool]], values: list[Any]) -> Q:
    """Rows strictly before ``values`` in the order of ``keys`` (the mirror of ``_after``)."""
    (name, desc, _nullable), value = keys[0], values[0]
    if len(keys) == 1:
        return Q(**{f"{name}__{'gt' if desc else 'lt'}": value})
    rest = _before(keys[1:], values[1:])
    if value is None:  # NULLs sort last: every row with a value comes before
        return Q(**{f"{name}__isnull": False}) | (Q(**{f"{name}__isnull": True}) & rest)
    return Q(**{f"{name}__{'gt' if desc else 'lt'}": value}) | (Q(**{name: value}) & rest)


# A cursor to the page before another starts with this (not a character of the keyset's base64).
BACKWARD = "~"


# Filters of the queue (QueueFilterForm's fields, as plain values: ids, strings, dates) that are equal
# to a column of the ticket row. The organisation of the requester joins them once it exists.
_EQUAL_FILTERS = ("tier", "team", "assignee", "priority", "category", "channel", "sla_state", "requester")
# Date filters: (filter, field, lookup); a date means its midnight in the site's time zone.
_DATE_FILTERS = (
    ("created_after", "created_at", "gte"),
    ("created_before", "created_at", "lt"),
    ("updated_after", "updated_at", "gte"),
    ("updated_before", "updated_at", "lt"),
)
# ``status`` = this value: every status, not only the open ones.
ANY_STATUS = "any"


def _day_start(value: date | str) -> datetime:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return timezone.make_aware(datetime.combine(day, time.min))


def agent_queue_qs(*, user: Any, tab: str, filters: dict[str, Any]) -> QuerySet[Ticket]:
    """The tickets of a queue tab with its filters but the text search, unordered: the queue page, the
    saved views' lists and their counts, a bulk action's "all matching" (``tickets.bulk_views``) all
    start here (``queue_page`` searches in the page's order,
    the counts with ``ticket_search``). ``filters`` are QueueFilterForm's fields as plain values (model
    instances work too); empty ones are ignored. Visibility is ``ticket_visible_qs``'s alone."""
    qs: QuerySet[Ticket] = ticket_visible_qs(user=user)
    if tab == "mine":
        qs = qs.filter(assignee=user)
    elif tab == "team":
        qs = qs.filter(team__in=user.teams.values("pk"))
    elif tab == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    status = filters.get("status")
    if status != ANY_STATUS:
        qs = qs.filter(status=status) if status else qs.filter(status__in=Ticket.OPEN_STATUSES)
    for name in _EQUAL_FILTERS:
        if filters.get(name) not in (None, ""):
            qs = qs.filter(**{name: filters[name]})
    for name, field, lookup in _DATE_FILTERS:
        if filters.get(name):
            qs = qs.filter(**{f"{field}__{lookup}": _day_start(filters[name])})
    if filters.get("tags"):
        qs = ticket_tagged(qs=qs, names=filters["tags"])
    return qs


def queue_order(sort: str, *, reverse: bool = False) -> list[Any]:
    """ORDER BY of a queue sort (``SORTS``; unknown: newest first), or of its reverse (NULLs first)."""
    order: list[Any] = []
    for name, desc, nullable in SORTS.get(sort) or SORTS["newest"]:
        desc = desc != reverse
        if nullable:
            nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
            order.append(F(name).desc(**nulls) if desc else F(name).asc(**nulls))
        else:
            order.append(f"-{name}" if desc else name)
    return order


def agent_queue(
    *, user: Any, tab: str, filters: dict[str, Any], sort: str, cursor: str, limit: int
) -> QueuePage:
    """One page of an agent queue."""
    qs = agent_queue_qs(user=user, tab=tab, filters=filters).select_related(
        "requester", "team", "assignee", "category"
    )
    return queue_page(qs, user=user, q=filters.get("q") or "", sort=sort, cursor=cursor, limit=limit)


def queue_page(qs: QuerySet[Ticket], *, user: Any, q: str, sort: str, cursor: str, limit: int) -> QueuePage:
    """One page of ``qs`` searched for ``q`` in a queue sort, after ``cursor`` (a keyset: the sort
    keys of the last row shown, so every page is an index range however deep; ``BACKWARD`` + keyset:
    the page before the row). Fetches ``limit + 1`` rows to know whether there is a page beyond."""
    keys = SORTS.get(sort) or SORTS["newest"]
    backward = cursor.startswith(BACKWARD)
    values = _decode(cursor.removeprefix(BACKWARD), keys) if cursor else None
    if values is not None:
        qs = qs.filter(_before(keys, values) if backward else _after(keys, values))
    else:
        backward = False  # a malformed cursor: the first page
    order = queue_order(sort, reverse=backward)
    # The search box: the same search as the API's ``q`` (text, reference, requester's email), in the
    # queue's chosen order; a common word stops after the page's first matches in it (issue #16).
    found = ticket_search(qs=qs, user=user, q=q)
    narrow = ticket_search_first_in_order(window=qs.order_by(*order), user=user, q=q, wanted=limit + 1)
    rows = list((found if narrow is None else found.filter(narrow)).order_by(*order)[: limit + 1])
    beyond = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()
    has_next = values is not None if backward else beyond
    has_previous = beyond if backward else values is not None

    def keyset(row: Ticket) -> str:
        return _encode([getattr(row, name) for name, _d, _n in keys])

    return QueuePage(
        rows=rows,
        next_cursor=keyset(rows[-1]) if has_next and rows else None,
        previous_cursor=BACKWARD + keyset(rows[0]) if has_previous and rows else None,
    )


@dataclass
class Neighbours:
    previous: int | None
    next: int | None


def queue_neighbours(
    *, user: Any, tab: str, filters: dict[str, Any], sort: str, ticket: Ticket
) -> Neighbours:
    """The tickets before and after ``ticket`` in a queue's order (the keyboard's next / previous):
    one keyset query each, like the next page, whatever the queue's length. A ticket that has left
    the queue still has neighbours: the rows around the place it had."""
    keys = SORTS.get(sort) or SORTS["newest"]
    values = [getattr(ticket, name) for name, _d, _n in keys]
    # The search box: the same search as the API's ``q`` (text, reference, requester's email).
    qs = ticket_search(
        qs=agent_queue_qs(user=user, tab=tab, filters=filters), user=user, q=filters.get("q") or ""
    )
    after = qs.filter(_after(keys, values)).order_by(*queue_order(sort)).values_list("pk", flat=True).first()
    before = (
        qs.filter(_before(keys, values))
        .order_by(*queue_order(sort, reverse=True))
        .values_list("pk", flat=True)
        .first()
    )
    return Neighbours(previous=before, next=after)


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
    source_ref: str = ""  # the merged-away ticket a message or file was written on
    body_html: Any = None  # a message body as a registered renderer shows it (tickets.panels)


def _source_ref(obj: Any, ticket: Ticket) -> str:
    return reference_for(obj.ticket_id) if obj.ticket_id != ticket.pk else ""


def ticket_timeline(*, user: Any, ticket: Ticket) -> list[Entry]:
    """Messages, attachments and (for agents) events in time order: four queries, whatever their number.

    Customers get public messages and public attachments only: the selectors filter them. The messages
    and attachments of tickets merged into this one are shown among its own (``tickets.merge``),
    each with ``source_ref``, the reference of the ticket it was written on: for agents the merge
    events name them, for a customer one more query finds those that were their own requests.
    """
    events = list(event_visible_qs(user=user, ticket=ticket).exclude(kind__in=_EVENTS_SHOWN_AS_ENTRIES))
    if user.is_authenticated and user.is_agent:
        sources = [
            int(e.data["source"])
            for e in events
            if e.kind == TicketEvent.Kind.MERGED and e.field == "merged_from" and e.data.get("source")
        ]
    else:
        sources = merged_source_ids(user=user, ticket=ticket)
    attachments = list(
        attachment_visible_qs(user=user, ticket=ticket, merged=sources).select_related("uploaded_by")
    )
    by_message: dict[int, list[Any]] = {}
    loose = []
    for a in attachments:
        if a.message_id:
            by_message.setdefault(a.message_id, []).append(a)
        else:
            loose.append(a)
    entries: list[Entry] = [
        Entry("message", m.created_at, m, by_message.get(m.pk, []), source_ref=_source_ref(m, ticket))
        for m in message_visible_qs(user=user, ticket=ticket, merged=sources)
    ]
    rendered: dict[int, Any] = {}
    for renderer in message_body_renderers:
        rendered.update(renderer([e.obj for e in entries]))
    for entry in entries:
        entry.body_html = rendered.get(entry.obj.pk)
    entries += [Entry("attachment", a.created_at, a, [a], source_ref=_source_ref(a, ticket)) for a in loose]
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
