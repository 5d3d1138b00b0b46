"""Writes on tickets. Views, API, tasks and commands all call these; nothing else changes a ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts.models import Team
from helpdesk.errors import ApplicationError, ConflictError

from .events import event_record, event_record_bulk
from .models import (
    Attachment,
    Category,
    EscalationPath,
    IdempotencyKey,
    Level,
    Message,
    Priority,
    Rating,
    Tag,
    Ticket,
    TicketEvent,
)

Status = Ticket.Status

# ITIL matrix: impact × urgency → priority.
PRIORITY_MATRIX: dict[tuple[str, str], str] = {
    (Level.HIGH, Level.HIGH): Priority.P1,
    (Level.HIGH, Level.MEDIUM): Priority.P2,
    (Level.MEDIUM, Level.HIGH): Priority.P2,
    (Level.HIGH, Level.LOW): Priority.P3,
    (Level.MEDIUM, Level.MEDIUM): Priority.P3,
    (Level.LOW, Level.HIGH): Priority.P3,
    (Level.MEDIUM, Level.LOW): Priority.P4,
    (Level.LOW, Level.MEDIUM): Priority.P4,
    (Level.LOW, Level.LOW): Priority.P4,
}

# Allowed status transitions; anything else is a 409.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED},
    Status.OPEN: {Status.PENDING, Status.RESOLVED, Status.CLOSED},
    Status.PENDING: {Status.OPEN, Status.RESOLVED, Status.CLOSED},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}

TICKET_CLOSED_NO_REPLY = "This ticket is closed. Please submit a new request."
RESOLUTION_REQUIRED = "Describe the resolution."
TICKET_ALREADY_RATED = "This ticket has already been rated."
RATING_NOT_RESOLVED = "Only a resolved ticket can be rated."
CUSTOMER_NO_INTERNAL = "Customers cannot write internal notes."


class PayloadTooLarge(ApplicationError):
    status_code = 413


class StaleVersion(ConflictError):
    """The ticket changed since the caller loaded it; ``events`` says what changed."""

    def __init__(self, events: list[TicketEvent]) -> None:
        super().__init__(
            _("This ticket changed while you were writing. Review the changes, then send again."),
            extra={
                "changes": [f"{e.get_kind_display()}: {e.old_value} → {e.new_value}".strip() for e in events]
            },
        )
        self.events = events


def priority_for(*, impact: str, urgency: str) -> str:
    return PRIORITY_MATRIX[(impact, urgency)]


def ticket_lock(*, pk: int) -> Ticket:
    """The ticket row, locked until the transaction ends. Call inside ``transaction.atomic``."""
    return Ticket.objects.select_for_update(of=("self",)).get(pk=pk)


def ticket_lock_qs(pks: list[int]) -> QuerySet[Ticket]:
    # Always lock in pk order so two bulk operations cannot deadlock each other.
    return Ticket.objects.filter(pk__in=pks).order_by("pk").select_for_update(of=("self",))


def route_team(*, category: Category | None, tier: int) -> Team | None:
    """The team that takes ``category`` at ``tier``: its path, its parents' paths, else the tier's default team."""
    seen: set[int] = set()
    while category is not None and category.pk not in seen:
        seen.add(category.pk)
        path = EscalationPath.objects.filter(category=category, tier=tier).select_related("team").first()
        if path:
            return path.team
        category = category.parent
    return Team.objects.filter(tier=tier, is_default_for_tier=True).first()


def _touch(ticket: Ticket, fields: list[str]) -> None:
    ticket.version = F("version") + 1
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*fields, "version", "updated_at"])
    ticket.refresh_from_db(fields=["version"])


@transaction.atomic
def ticket_create(
    *,
    requester: Any,
    subject: str,
    description: str,
    by: Any,
    channel: str = Ticket.Channel.WEB,
    category: Category | None = None,
    impact: str = Level.MEDIUM,
    urgency: str = Level.MEDIUM,
    language: str | None = None,
    tags: list[str] | None = None,
    event_data: dict | None = None,
) -> Ticket:
    """A new request: tier 1, status new, team from the category's path, priority from the matrix.

    ``event_data`` goes into the CREATED event (e.g. the portal's session digest)."""
    ticket = Ticket.objects.create(
        subject=subject.strip(),
        description=description,
        requester=requester,
        channel=channel,
        category=category,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact=impact, urgency=urgency),
        status=Status.NEW,
        tier=1,
        team=route_team(category=category, tier=1),
        language=language or requester.language or settings.LANGUAGE_CODE,
    )
    if tags:
        ticket.tags.set(_tags(tags))
    event_record(ticket=ticket, kind=TicketEvent.Kind.CREATED, actor=by, new=channel, data=event_data)
    return ticket


def _tags(names: list[str]) -> list[Tag]:
    out = []
    for name in {n.strip().lower()[:50] for n in names if n and n.strip()}:
        tag, _created = Tag.objects.get_or_create(name=name)
        out.append(tag)
    return out


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and ticket.version != expected_version:
        changed = [
            e for e in ticket.events.order_by("id") if int(e.data.get("version", 0)) > expected_version
        ]
        raise StaleVersion(changed)


def _set_status(ticket: Ticket, new: str, *, by: Any, fields: list[str]) -> None:
    """Apply a status change to the (locked) ticket; records the event. Validates the transition."""
    old = ticket.status
    if new == old:
        return
    if new not in TRANSITIONS[old]:
        raise ConflictError(
            _("A ticket cannot go from %(old)s to %(new)s.")
            % {"old": Status(old).label, "new": Status(new).label},
            extra={"status": old},
        )
    now = timezone.now()
    ticket.status = new
    fields.append("status")
    kind = TicketEvent.Kind.STATUS
    if new == Status.RESOLVED:
        ticket.resolved_at = now
        ticket.resolved_by = by if getattr(by, "is_agent", False) else None
        ticket.resolved_tier = ticket.tier
        fields += ["resolved_at", "resolved_by", "resolved_tier"]
        kind = TicketEvent.Kind.RESOLVED
    elif new == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
        kind = TicketEvent.Kind.CLOSED
    elif old == Status.RESOLVED and new == Status.OPEN:
        ticket.reopen_count += 1
        fields.append("reopen_count")
        kind = TicketEvent.Kind.REOPENED
    ticket._pending_events.append((kind, "status", old, new))  # type: ignore[attr-defined]


def _flush(ticket: Ticket, *, by: Any, fields: list[str], data: dict | None = None) -> Ticket:
    """Save the changed fields once, then record one event per change (in order)."""
    pending = ticket._pending_events  # type: ignore[attr-defined]
    if not fields:
        return ticket
    _touch(ticket, sorted(set(fields)))
    for kind, field, old, new in pending:
        event_record(ticket=ticket, kind=kind, actor=by, field=field, old=old, new=new, data=data)
    pending.clear()
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    locked = ticket_lock(pk=ticket.pk)
    locked._pending_events = []  # type: ignore[attr-defined]
    return locked


def _locked_or_merge_target(ticket: Ticket) -> Ticket:
    """The locked ticket, or, when it was merged into another (``tickets.merge``), the locked ticket at
    the end of its merge chain: what still arrives for a merged-away ticket lands there."""
    locked = _locked(ticket)
    if locked.merged_into_id is None:
        return locked
    from .merge import merge_final_target  # merge builds on these services

    # The merge that set ``merged_into`` has committed (we hold the source's lock), so locking the
    # target after the source cannot wait on it.
    return _locked(merge_final_target(locked))


_UNSET: Any = object()


def _label(value: Any) -> str:
    """How a changed value reads in the audit trail."""
    if value is None:
        return ""
    return str(getattr(value, "name", None) or getattr(value, "username", None) or value)


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    by: Any,
    category: Category | None = _UNSET,
    impact: str = _UNSET,
    urgency: str = _UNSET,
    priority: str = _UNSET,
    assignee: Any = _UNSET,
    status: str = _UNSET,
    team: Team | None = _UNSET,
    tags: list[str] = _UNSET,
    expected_version: int | None = None,
) -> Ticket:
    """Triage by an agent. Only the given fields change; each change is one event."""
    t = _locked(ticket)
    _check_version(t, expected_version)
    fields = ticket_changes_stage(
        t,
        by=by,
        category=category,
        impact=impact,
        urgency=urgency,
        priority=priority,
        assignee=assignee,
        status=status,
        team=team,
        tags=tags,
    )
    return _flush(t, by=by, fields=fields)


def ticket_changes_stage(
    t: Ticket,
    *,
    by: Any,
    category: Category | None = _UNSET,
    impact: str = _UNSET,
    urgency: str = _UNSET,
    priority: str = _UNSET,
    assignee: Any = _UNSET,
    status: str = _UNSET,
    team: Team | None = _UNSET,
    tags: list[str] = _UNSET,
) -> list[str]:
    """The rules of ``ticket_update``, applied to the locked ticket ``t`` in memory: returns the changed
    fields, the events wait in ``t._pending_events``. Saved by ``_flush`` (one ticket) or
    ``tickets_flush_many`` (a bulk action's chunk at once). Tags are written at once."""
    if not hasattr(t, "_pending_events"):
        t._pending_events = []  # type: ignore[attr-defined]
    fields: list[str] = []
    K = TicketEvent.Kind

    def change(name: str, value: Any, kind: str) -> None:
        old = getattr(t, name)
        if old == value:
            return
        setattr(t, name, value)
        fields.append(name)
        t._pending_events.append((kind, name, _label(old), _label(value)))  # type: ignore[attr-defined]

    if category is not _UNSET:
        change("category", category, K.CATEGORY)
    if impact is not _UNSET:
        change("impact", impact, K.IMPACT)
    if urgency is not _UNSET:
        change("urgency", urgency, K.URGENCY)
    if priority is not _UNSET and priority != t.priority:
        # An explicit priority is an override, recorded as such.
        change("priority", priority, K.PRIORITY)
        t.priority_overridden = True
        fields.append("priority_overridden")
    elif not t.priority_overridden and (impact is not _UNSET or urgency is not _UNSET):
        change("priority", priority_for(impact=t.impact, urgency=t.urgency), K.PRIORITY)
    if team is not _UNSET:
        if team is not None and team.tier != t.tier:
            raise ApplicationError(_("That team works at another tier; escalate instead."), field="team")
        change("team", team, K.TEAM)
    if assignee is not _UNSET:
        if assignee is not None and not assignee.is_agent:
            raise ApplicationError(_("Only agents can be assigned."), field="assignee")
        change("assignee", assignee, K.ASSIGNEE)
        if assignee is not None and t.status == Status.NEW and (status is _UNSET):
            _set_status(t, Status.OPEN, by=by, fields=fields)
    if status is not _UNSET:
        if status == Status.RESOLVED:
            raise ApplicationError(_("Use resolve, with a resolution."), field="status")
        _set_status(t, status, by=by, fields=fields)
    if tags is not _UNSET:
        new_tags = _tags(tags)
        old_names = sorted(t.tags.values_list("name", flat=True))
        new_names = sorted(tag.name for tag in new_tags)
        if old_names != new_names:
            t.tags.set(new_tags)
            fields.append("updated_at")
            t._pending_events.append((K.TAGS, "tags", ", ".join(old_names), ", ".join(new_names)))  # type: ignore[attr-defined]
    return fields


def _column_value(ticket: Ticket, name: str) -> Any:
    field = Ticket._meta.get_field(name)
    return getattr(ticket, field.attname)


def tickets_flush_many(*, staged: list[tuple[Ticket, list[str]]], by: Any) -> None:
    """Save many locked tickets changed in memory (``ticket_changes_stage``) at once: one UPDATE, one
    INSERT of their events; then ``event_recorded`` per event, in ticket order, as ``_flush`` would.

    The rows must have been read under their lock in this transaction: the UPDATE writes the staged
    fields of every ticket from memory (``version`` + 1 in the database and in memory alike)."""
    staged = [(t, f) for t, f in staged if f]
    if not staged:
        return
    now = timezone.now()
    # One UPDATE per distinct set of new values (a bulk action gives all its tickets the same ones).
    groups: dict[tuple, list[int]] = {}
    for t, fields in staged:
        t.version += 1
        t.updated_at = now
        values = tuple(sorted((name, _column_value(t, name)) for name in set(fields) - {"updated_at"}))
        groups.setdefault(values, []).append(t.pk)
    for values, pks in groups.items():
        Ticket.objects.filter(pk__in=pks).update(**dict(values), version=F("version") + 1, updated_at=now)
    entries = []
    for t, _fields in staged:
        for kind, field, old, new in t._pending_events:  # type: ignore[attr-defined]
            entries.append((t, {"kind": kind, "field": field, "old": old, "new": new}))
        t._pending_events.clear()  # type: ignore[attr-defined]
    event_record_bulk(entries=entries, actor=by)


@transaction.atomic
def message_add(
    *,
    ticket: Ticket,
    author: Any,
    body: str,
    internal: bool = False,
    channel: str = Ticket.Channel.WEB,
    expected_version: int | None = None,
    match_reason: str = "",
    email_message_id: str = "",
) -> Message:
    """A public reply or internal note. Keeps the counters the metrics need.

    On a ticket merged into another, the message lands on the merge target (its version is not checked:
    the caller looked at the source)."""
    t = _locked_or_merge_target(ticket)
    if t.pk == ticket.pk:
        _check_version(t, expected_version)
    body = body.strip()
    if not body:
        raise ApplicationError(_("Write a message."), field="body")
    is_agent = bool(getattr(author, "is_agent", False))
    if internal and not is_agent:
        raise ApplicationError(CUSTOMER_NO_INTERNAL, field="internal")
    if t.status == Status.CLOSED and not internal:
        raise ConflictError(_(TICKET_CLOSED_NO_REPLY))
    now = timezone.now()
    fields: list[str] = []
    if not internal and is_agent:
        t.public_reply_count += 1
        fields.append("public_reply_count")
        if t.first_response_at is None:
            t.first_response_at = now
            fields.append("first_response_at")
        if t.status == Status.NEW:
            _set_status(t, Status.OPEN, by=author, fields=fields)
    elif not internal:
        if t.first_response_at is not None:
            t.customer_followup_count += 1
            fields.append("customer_followup_count")
        if t.status == Status.RESOLVED:
            if t.resolved_at and now - t.resolved_at > settings.HELPDESK_REOPEN_WINDOW:
                raise ConflictError(_("This request was solved too long ago. Please submit a new request."))
            _set_status(t, Status.OPEN, by=author, fields=fields)
        elif t.status == Status.PENDING:
            _set_status(t, Status.OPEN, by=author, fields=fields)
    message = Message.objects.create(
        ticket=t,
        author=author,
        body=body,
        internal=internal,
        by_agent=is_agent,
        channel=channel,
        created_at=now,
        match_reason=match_reason,
        email_message_id=email_message_id,
    )
    fields.append("updated_at")
    _flush(t, by=author, fields=fields)
    event_record(
        ticket=t,
        kind=TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.MESSAGE,
        actor=author,
        data={"message": message.pk},
    )
    message.ticket = t
    return message


@transaction.atomic
def attachment_add(
    *, ticket: Ticket, by: Any, file: UploadedFile, message: Message | None = None, internal: bool = False
) -> Attachment:
    if file.size is None or file.size > settings.HELPDESK_MAX_ATTACHMENT_BYTES:
        raise PayloadTooLarge(
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.HELPDESK_MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            field="file",
        )
    if internal and not getattr(by, "is_agent", False):
        raise ApplicationError(CUSTOMER_NO_INTERNAL, field="internal")
    t = _locked_or_merge_target(ticket)
    if message is not None and message.ticket_id != t.pk:
        message = None  # a message of the merge source: the file goes to the target on its own
    if t.status == Status.CLOSED:
        raise ConflictError(_(TICKET_CLOSED_NO_REPLY))
    name = get_valid_filename((file.name or "file").replace("\\", "/").rsplit("/", 1)[-1])[:200] or "file"
    attachment = Attachment.objects.create(
        ticket=t,
        message=message,
        file=file,
        filename=name,
        content_type=(getattr(file, "content_type", None) or "application/octet-stream")[:100],
        size=file.size,
        internal=internal or bool(message and message.internal),
        uploaded_by=by,
    )
    _touch(t, ["updated_at"])
    event_record(
        ticket=t,
        kind=TicketEvent.Kind.ATTACHMENT,
        actor=by,
        new=name if not attachment.internal else "",
        data={"attachment": attachment.pk, "internal": attachment.internal},
    )
    return attachment


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, by: Any, resolution: str, article_id: int | None = None) -> Ticket:
    if not (resolution or "").strip():
        raise ApplicationError(_(RESOLUTION_REQUIRED), field="resolution")
    t = _locked(ticket)
    fields: list[str] = []
    _set_status(t, Status.RESOLVED, by=by, fields=fields)
    t.resolution = resolution.strip()
    fields.append("resolution")
    return _flush(t, by=by, fields=fields, data={"article": article_id} if article_id else None)


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, by: Any) -> Ticket:
    t = _locked(ticket)
    if t.status != Status.RESOLVED:
        raise ConflictError(_("Only a resolved ticket can be reopened."), extra={"status": t.status})
    if not by.is_agent and t.resolved_at and timezone.now() - t.resolved_at > settings.HELPDESK_REOPEN_WINDOW:
        raise ConflictError(_("This request was solved too long ago. Please submit a new request."))
    fields: list[str] = []
    _set_status(t, Status.OPEN, by=by, fields=fields)
    return _flush(t, by=by, fields=fields)


@transaction.atomic
def ticket_close(*, ticket: Ticket, by: Any) -> Ticket:
    t = _locked(ticket)
    fields: list[str] = []
    _set_status(t, Status.CLOSED, by=by, fields=fields)
    return _flush(t, by=by, fields=fields)


@transaction.atomic
def rating_create(*, ticket: Ticket, by: Any, score: int, comment: str = "") -> Rating:
    """The requester rates a resolved (or closed) ticket, once."""
    t = _locked(ticket)
    if t.status not in (Status.RESOLVED, Status.CLOSED):
        raise ConflictError(_(RATING_NOT_RESOLVED))
    if Rating.objects.filter(ticket=t).exists():
        raise ConflictError(_(TICKET_ALREADY_RATED))
    if not 1 <= int(score) <= 5:
        raise ApplicationError(_("Choose a score from 1 to 5."), field="score")
    rating = Rating.objects.create(ticket=t, score=score, comment=(comment or "").strip())
    event_record(ticket=t, kind=TicketEvent.Kind.RATED, actor=by, new=score)
    return rating


def idempotency_keys_purge(*, older_than: timedelta) -> int:
    """Forget stored first responses older than ``older_than``; a key may then be used afresh."""
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
