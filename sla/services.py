"""SLA writes: the clock of each ticket (driven by ticket events), the sweep, policy and calendar edits.

The clock reacts to ``tickets.events.event_recorded`` inside the ticket's transaction, so due
times commit or roll back with the change that moved them. The sweep finds crossings with
set-based queries over partial indexes and records each warning and breach exactly once
(unique ``SlaAlert`` rows, inserted ON CONFLICT DO NOTHING, on ticket rows locked with
SKIP LOCKED), so any number of concurrent or restarted sweeps agree.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_bulk_created, audit_queryset_update
from helpdesk.db import rows_update
from helpdesk.errors import ApplicationError
from organisations.models import Organisation
from organisations.selectors import contract_policy_q
from tickets.events import event_record_many, in_event_batch
from tickets.models import Category, Ticket, TicketEvent

from . import businesstime
from .models import TIERS, Calendar, CustomHoliday, SlaAlert, SlaPolicy, TicketSla

logger = logging.getLogger(__name__)

Kind = TicketEvent.Kind
Status = Ticket.Status
Target = TicketSla.Target
SlaState = Ticket.SlaState

TIER_SHARES_SUM = "The tier shares must add up to 100 %."

# Events the clock reacts to; everything else costs no query.
_STATUS_KINDS = {Kind.STATUS, Kind.RESOLVED, Kind.REOPENED, Kind.CLOSED}
_TIER_KINDS = {Kind.ESCALATED, Kind.DEESCALATED, Kind.TIER}


# --- picking a policy ---------------------------------------------------------------------------


def _category_chain(category: Category | None) -> list[int]:
    """The category and its parents, nearest first."""
    chain: list[int] = []
    while category is not None and category.pk not in chain:
        chain.append(category.pk)
        category = category.parent
    return chain


def policy_for(*, ticket: Ticket) -> SlaPolicy | None:
    """The most specific policy: customer + category > customer > the contract policy of the
    requester's primary organisation (while the contract runs on the ticket's creation day) >
    category (nearest first) > default. One query."""
    chain = _category_chain(ticket.category)
    day = timezone.localdate(ticket.created_at) if ticket.created_at else timezone.localdate()
    by_contract = Exists(
        Organisation.objects.filter(contract_policy_q(requester_id=ticket.requester_id, day=day)).filter(
            sla_policy_id=OuterRef("pk")
        )
    )
    candidates = (
        SlaPolicy.objects.select_related("calendar")
        .annotate(by_contract=by_contract)
        .filter(
            Q(is_default=True)
            | Q(customer_id=ticket.requester_id)
            | Q(category_id__in=chain)
            | Q(by_contract=True)
        )
    )
    best: tuple[tuple[int, ...], SlaPolicy] | None = None
    for policy in candidates:
        if policy.by_contract:
            # The organisation's policy as a whole (its own customer / category are not asked).
            score = (0, 1, 0, 0, 0, -policy.pk)
            if best is None or score > best[0]:
                best = (score, policy)
        if policy.customer_id is not None and policy.customer_id != ticket.requester_id:
            continue
        if policy.category_id is not None and policy.category_id not in chain:
            continue
        if policy.customer_id is None and policy.category_id is None and not policy.is_default:
            continue
        score = (
            int(policy.customer_id is not None),
            0,
            int(policy.category_id is not None),
            -chain.index(policy.category_id) if policy.category_id is not None else 0,
            int(policy.is_default),
            -policy.pk,
        )
        if best is None or score > best[0]:
            best = (score, policy)
    return best[1] if best else None


# --- the clock of one ticket ---------------------------------------------------------------------


def schedule_of(sla: TicketSla) -> businesstime.Schedule | None:
    if sla.policy is None:
        return None
    cache = sla.__dict__.setdefault("_schedule_cache", {})
    if sla.policy.calendar_id not in cache:
        cache.clear()
        cache[sla.policy.calendar_id] = sla.policy.calendar.schedule()
    return cache[sla.policy.calendar_id]


def sla_state_for(sla: TicketSla) -> str:
    if sla.pause_started_at is not None:
        return SlaState.PAUSED
    if (
        sla.first_response_breached_at
        or sla.resolution_breached_at
        or sla.first_response_met is False
        or sla.resolution_met is False
    ):
        return SlaState.BREACHED
    if (sla.first_response_warned_at and sla.first_response_met is None) or (
        sla.resolution_warned_at and sla.resolution_met is None
    ):
        return SlaState.WARNING
    return SlaState.OK


def _compute_due(sla: TicketSla, ticket: Ticket) -> None:
    """Due and warning instants: start + (threshold of) target + paused business time.

    A target that was already met or missed keeps its due time: it is history.
    """
    schedule = schedule_of(sla)
    policy = sla.policy
    for target in (Target.FIRST_RESPONSE, Target.RESOLUTION):
        met_field = f"{target}_met"
        if getattr(sla, met_field) is not None:
            continue
        if schedule is None or policy is None:
            setattr(sla, f"{target}_due", None)
            setattr(sla, f"{target}_warn_at", None)
            continue
        seconds = policy.target_minutes(target, ticket.priority) * 60
        try:
            due = businesstime.add_business_seconds(schedule, sla.started_at, seconds + sla.paused_seconds)
            warn = businesstime.add_business_seconds(
                schedule, sla.started_at, seconds * policy.warning_percent / 100 + sla.paused_seconds
            )
        except businesstime.NoWorkingTime:
            due = warn = None
        setattr(sla, f"{target}_due", due)
        setattr(sla, f"{target}_warn_at", warn)


def _save(sla: TicketSla, ticket: Ticket) -> None:
    """Persist the clock and mirror it on the ticket (only the SLA columns; the version is not bumped)."""
    sla.save()
    values = {
        "first_response_due": sla.first_response_due,
        "resolution_due": sla.resolution_due,
        "sla_state": sla_state_for(sla),
        "sla_paused_at": sla.pause_started_at,
    }
    Ticket.objects.filter(pk=ticket.pk).update(**values)
    for name, value in values.items():
        setattr(ticket, name, value)


def _flush_tier_time(sla: TicketSla, now: datetime, *, keep_running: bool) -> None:
    """Charge the business time since ``tier_since`` to the current tier."""
    schedule = schedule_of(sla)
    if sla.tier_since is not None and schedule is not None and sla.current_tier in TIERS:
        used = businesstime.business_seconds_between(schedule, sla.tier_since, now)
        field = f"tier{sla.current_tier}_seconds"
        setattr(sla, field, getattr(sla, field) + used)
    sla.tier_since = now if keep_running else None


def clock_business_seconds(sla: TicketSla, until: datetime) -> int | None:
    """Business seconds the SLA clock ran from its start to ``until``: business time in the
    policy's calendar minus the paused business time before ``until`` (pending; resolved before
    a reopen) — the clock the due times use. None without a policy (no calendar, no business time).

    Pauses are taken from the pause log, so the answer holds for any ``until`` up to now."""
    schedule = schedule_of(sla)
    if schedule is None:
        return None
    paused = 0
    for pause in sla.pauses:
        start, end = datetime.fromisoformat(pause["start"]), datetime.fromisoformat(pause["end"])
        if end <= until:
            paused += int(pause["seconds"])
        elif start < until:
            paused += businesstime.business_seconds_between(schedule, start, until)
    if sla.pause_started_at is not None and sla.pause_started_at < until:
        paused += businesstime.business_seconds_between(schedule, sla.pause_started_at, until)
    return max(businesstime.business_seconds_between(schedule, sla.started_at, until) - paused, 0)


def ticket_sla_start(*, ticket: Ticket, now: datetime | None = None) -> TicketSla:
    """A new ticket: pick its policy, start its clock, set its due times. Safe to call twice."""
    existing = TicketSla.objects.filter(ticket=ticket).first()
    if existing is not None:
        return existing
    sla = TicketSla(
        ticket=ticket,
        policy=policy_for(ticket=ticket),
        started_at=ticket.created_at,
        current_tier=ticket.tier,
        tier_since=ticket.created_at,
    )
    if ticket.status == Status.PENDING:
        sla.pause_started_at = now or timezone.now()
        sla.tier_since = None
    _compute_due(sla, ticket)
    _save(sla, ticket)
    return sla


def _sla_of(ticket: Ticket) -> TicketSla:
    sla = TicketSla.objects.select_related("policy__calendar").filter(ticket=ticket).first()
    return sla if sla is not None else ticket_sla_start(ticket=ticket)


def _pause(sla: TicketSla, now: datetime) -> None:
    if sla.pause_started_at is None and sla.stopped_at is None:
        _flush_tier_time(sla, now, keep_running=False)
        sla.pause_started_at = now


def _add_pause(sla: TicketSla, start: datetime, end: datetime, reason: str) -> None:
    schedule = schedule_of(sla)
    seconds = businesstime.business_seconds_between(schedule, start, end) if schedule else 0
    sla.paused_seconds += seconds
    sla.pauses = [
        *sla.pauses,
        {"start": start.isoformat(), "end": end.isoformat(), "seconds": seconds, "reason": reason},
    ]


def _resume(sla: TicketSla, now: datetime) -> None:
    if sla.pause_started_at is not None:
        _add_pause(sla, sla.pause_started_at, now, "pending")
        sla.pause_started_at = None
        sla.tier_since = now


def _stop(sla: TicketSla, ticket: Ticket, now: datetime) -> None:
    """Resolved or closed: the resolution target is met or missed; the clock stands still."""
    if sla.stopped_at is not None:
        return
    _flush_tier_time(sla, now, keep_running=False)
    if sla.first_response_met is None:
        # Solving the request answers it.
        sla.first_response_met = sla.first_response_due is None or now <= sla.first_response_due
    if sla.resolution_met is None:
        sla.resolution_met = sla.resolution_due is None or now <= sla.resolution_due
    sla.resolution_business_seconds = clock_business_seconds(sla, now)
    sla.stopped_at = now


def _restart(sla: TicketSla, now: datetime) -> None:
    """Reopened: the time it stood resolved does not count; the resolution clock runs again."""
    if sla.stopped_at is None:
        return
    _add_pause(sla, sla.stopped_at, now, "resolved")
    sla.stopped_at = None
    sla.resolution_met = None
    # Not resolved any more; the next resolution records the new total.
    sla.resolution_business_seconds = None
    sla.tier_since = now


def _clock_relevant(ticket: Ticket, event: TicketEvent) -> bool:
    kind = event.kind
    return (
        kind in _STATUS_KINDS
        or kind in (Kind.PRIORITY, Kind.CATEGORY)
        or (kind == Kind.MESSAGE and ticket.first_response_at is not None)
        or kind in _TIER_KINDS
        or event.field == "tier"
    )


def _clock_step(sla: TicketSla, ticket: Ticket, event: TicketEvent, now: datetime) -> None:
    """Move the clock in memory for one relevant event and recompute its due times (saved by the caller)."""
    kind = event.kind
    is_tier_change = kind in _TIER_KINDS or event.field == "tier"
    if is_tier_change and ticket.tier != sla.current_tier:
        # Charge the time so far to the tier that used it.
        _flush_tier_time(sla, now, keep_running=sla.tier_since is not None)
        sla.current_tier = ticket.tier
    if kind in _STATUS_KINDS and event.field == "status":
        old, new = event.old_value, event.new_value
        if old == Status.PENDING:
            _resume(sla, now)
        if old in (Status.RESOLVED, Status.CLOSED) and new in Ticket.OPEN_STATUSES:
            _restart(sla, now)
        if new == Status.PENDING:
            _pause(sla, now)
        elif new in (Status.RESOLVED, Status.CLOSED):
            _stop(sla, ticket, now)
    if kind == Kind.CATEGORY:
        policy = policy_for(ticket=ticket)
        if policy != sla.policy:
            # The paused time stays on the ticket: a new policy does not make the customer's wait count.
            sla.policy = policy
    if kind == Kind.MESSAGE and sla.first_response_met is None and ticket.first_response_at is not None:
        due = sla.first_response_due
        sla.first_response_met = due is None or ticket.first_response_at <= due
    if ticket.first_response_at is not None and sla.first_response_business_seconds is None:
        sla.first_response_business_seconds = clock_business_seconds(sla, ticket.first_response_at)
    _compute_due(sla, ticket)


# The batch (``tickets.events.in_event_batch``) whose clocks ``on_event_batch_prepared`` has moved already.
_batch_moved: ContextVar[int] = ContextVar("sla_batch_moved", default=0)


def on_event_recorded(sender: object, ticket: Ticket, event: TicketEvent, **kwargs: object) -> None:
    """Keep the ticket's SLA clock in step with what just happened to it."""
    batch = in_event_batch()
    if batch and batch == _batch_moved.get():
        return  # moved with its whole batch before the events went out
    if event.kind == Kind.CREATED:
        ticket_sla_start(ticket=ticket)
        return
    if not _clock_relevant(ticket, event):
        return
    sla = _sla_of(ticket)
    _clock_step(sla, ticket, event, timezone.now())
    _save(sla, ticket)


_SLA_FIELDS = [f.name for f in TicketSla._meta.concrete_fields if not f.primary_key and f.name != "ticket"]
_SLA_ATTNAMES = [TicketSla._meta.get_field(name).attname for name in _SLA_FIELDS]


def on_event_batch_prepared(
    sender: object, pairs: list[tuple[Ticket, TicketEvent]], batch: int, **kwargs: object
) -> None:
    """The clocks of a batch of events (a bulk action's chunk) moved at once, before the events go out
    (so every receiver of ``event_recorded`` sees the new due times and SLA state, as one by one):
    one read of the chunk's clocks, each calendar's schedule read once, one write of the clocks and
    one of the tickets' mirrored columns — instead of three queries a ticket."""
    _batch_moved.set(batch)
    relevant = [(t, e) for t, e in pairs if e.kind == Kind.CREATED or _clock_relevant(t, e)]
    if not relevant:
        return
    clocks = {
        s.ticket_id: s
        for s in TicketSla.objects.select_related("policy__calendar").filter(
            ticket_id__in={t.pk for t, _e in relevant}
        )
    }
    schedules: dict[int, businesstime.Schedule] = {}
    moved: dict[int, tuple[TicketSla, Ticket]] = {}
    before: dict[int, list[Any]] = {}  # each clock's columns before the batch moved it
    now = timezone.now()
    for ticket, event in relevant:
        sla = clocks.get(ticket.pk)
        if sla is None or event.kind == Kind.CREATED:
            clocks[ticket.pk] = ticket_sla_start(ticket=ticket)  # rare in a batch: saved by itself
            continue
        if sla.policy is not None and "_schedule_cache" not in sla.__dict__:
            calendar = sla.policy.calendar
            if calendar.pk not in schedules:
                schedules[calendar.pk] = calendar.schedule()
            sla.__dict__["_schedule_cache"] = {calendar.pk: schedules[calendar.pk]}
        if ticket.pk not in before:
            before[ticket.pk] = [getattr(sla, a) for a in _SLA_ATTNAMES]
        _clock_step(sla, ticket, event, now)
        moved[ticket.pk] = (sla, ticket)
    if not moved:
        return
    # Only the columns some clock of the batch changed (a status change moves a handful of the ~20).
    changed = [
        name
        for i, (name, attname) in enumerate(zip(_SLA_FIELDS, _SLA_ATTNAMES, strict=True))
        if any(getattr(sla, attname) != before[pk][i] for pk, (sla, _t) in moved.items())
    ]
    if changed:
        rows_update(TicketSla, [sla for sla, _t in moved.values()], changed)
    for sla, ticket in moved.values():
        ticket.first_response_due = sla.first_response_due
        ticket.resolution_due = sla.resolution_due
        ticket.sla_state = sla_state_for(sla)
        ticket.sla_paused_at = sla.pause_started_at
    rows_update(
        Ticket,
        [t for _sla, t in moved.values()],
        ["first_response_due", "resolution_due", "sla_state", "sla_paused_at"],
    )


@transaction.atomic
def ticket_sla_recompute(*, ticket: Ticket, policy: SlaPolicy | None = None) -> TicketSla:
    """Re-pick (or set) the policy of an open ticket and recompute its due times; paused time is kept."""
    from tickets.services import ticket_lock

    ticket = ticket_lock(pk=ticket.pk)
    sla = _sla_of(ticket)
    now = timezone.now()
    _flush_tier_time(sla, now, keep_running=sla.tier_since is not None)
    sla.policy = policy or policy_for(ticket=ticket)
    sla.__dict__.pop("_schedule_cache", None)
    _compute_due(sla, ticket)
    _save(sla, ticket)
    return sla


# --- tier shares ------------------------------------------------------------------------------------


def tier_usage(sla: TicketSla, now: datetime | None = None) -> dict[int, int]:
    """Business seconds used at each tier, including the running segment."""
    used = {tier: sla.tier_seconds(tier) for tier in TIERS}
    schedule = schedule_of(sla)
    if sla.tier_since is not None and schedule is not None and sla.current_tier in used:
        used[sla.current_tier] += businesstime.business_seconds_between(
            schedule, sla.tier_since, now or timezone.now()
        )
    return used


def charged_tier(sla: TicketSla, ticket: Ticket, now: datetime | None = None) -> int:
    """The tier a resolution breach is charged to: the one furthest over its share, else the current one."""
    if sla.policy is None:
        return ticket.tier
    target = sla.policy.resolution_minutes(ticket.priority) * 60
    used = tier_usage(sla, now)
    over = {tier: used[tier] - target * sla.policy.tier_share(tier) / 100 for tier in TIERS}
    worst = max(TIERS, key=lambda tier: (over[tier], tier == ticket.tier))
    return worst if over[worst] > 0 else ticket.tier


# --- the sweep --------------------------------------------------------------------------------------

# 500 tickets per transaction: short row locks, and a batch of events + outbox rows stays small.
SWEEP_BATCH_SIZE = 500


@dataclass(frozen=True)
class Crossing:
    target: str
    kind: str
    instant: str  # TicketSla field the sweep compares with now
    flag: str  # TicketSla field set once recorded

    @property
    def event_kind(self) -> str:
        return Kind.SLA_BREACH if self.kind == SlaAlert.Kind.BREACH else Kind.SLA_WARNING

    def candidates(self, now: datetime) -> Q:
        q = Q(
            status__in=(Status.NEW, Status.OPEN),
            **{
                f"sla__{self.instant}__lte": now,
                f"sla__{self.flag}__isnull": True,
                f"sla__{self.target}_met__isnull": True,
                "sla__pause_started_at__isnull": True,
                "sla__stopped_at__isnull": True,
            },
        )
        if self.kind == SlaAlert.Kind.WARNING:
            # A sweep that comes late goes straight to the breach; no warning after the fact.
            q &= Q(**{f"sla__{self.target}_breached_at__isnull": True, f"sla__{self.target}_due__gt": now})
        if self.target == Target.FIRST_RESPONSE:
            # A met target never warns: an answered ticket is out, whatever its SLA row says.
            q &= Q(first_response_at__isnull=True)
        return q


# Breaches first: a ticket past its due time gets the breach, not a belated warning.
CROSSINGS = (
    Crossing(Target.FIRST_RESPONSE, SlaAlert.Kind.BREACH, "first_response_due", "first_response_breached_at"),
    Crossing(Target.RESOLUTION, SlaAlert.Kind.BREACH, "resolution_due", "resolution_breached_at"),
    Crossing(
        Target.FIRST_RESPONSE, SlaAlert.Kind.WARNING, "first_response_warn_at", "first_response_warned_at"
    ),
    Crossing(Target.RESOLUTION, SlaAlert.Kind.WARNING, "resolution_warn_at", "resolution_warned_at"),
)


def sla_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> dict[str, int]:
    """Record every warning and breach due by ``now`` once; returns how many each crossing recorded."""
    now = now or timezone.now()
    batch_size = batch_size or getattr(settings, "SLA_SWEEP_BATCH_SIZE", SWEEP_BATCH_SIZE)
    counts: dict[str, int] = {}
    for crossing in CROSSINGS:
        recorded = 0
        while True:
            locked, inserted = _sweep_batch(crossing, now, batch_size)
            recorded += inserted
            if locked < batch_size:
                break
        counts[f"{crossing.target}_{crossing.kind}"] = recorded
    return counts


# What the sweep loads of each ticket: the alert, the event and the receivers' routing need these;
# the rest (description, resolution, …) stays in the database.
SWEEP_TICKET_FIELDS = (
    "id",
    "subject",
    "requester_id",
    "category_id",
    "priority",
    "status",
    "tier",
    "team_id",
    "assignee_id",
    "language",
    "version",
    "sla_state",
    "first_response_due",
    "resolution_due",
    "created_at",
)


@transaction.atomic
def _sweep_batch(crossing: Crossing, now: datetime, batch_size: int) -> tuple[int, int]:
    """One batch in one transaction; returns (tickets locked, alerts this sweep inserted)."""
    # Lock and load in one statement; rows another sweep (or an agent) holds are skipped, not waited for.
    tickets = list(
        Ticket.objects.filter(crossing.candidates(now))
        .order_by("pk")
        .select_for_update(skip_locked=True, of=("self",))
        .only(*SWEEP_TICKET_FIELDS)[:batch_size]
    )
    if not tickets:
        return 0, 0
    pks = [ticket.pk for ticket in tickets]
    is_breach = crossing.kind == SlaAlert.Kind.BREACH
    if is_breach:
        # The charged tier and auto-escalation need the clock, its policy and calendar.
        slas = {
            s.ticket_id: s
            for s in TicketSla.objects.filter(ticket_id__in=pks).select_related("policy__calendar")
        }
        schedules: dict[int, businesstime.Schedule] = {}
        for ticket in tickets:
            sla = slas[ticket.pk]
            ticket.sla = sla
            if sla.policy is not None:
                # One calendar read per calendar and batch, not per ticket.
                cal = sla.policy.calendar
                if cal.pk not in schedules:
                    schedules[cal.pk] = cal.schedule()
                sla.__dict__["_schedule_cache"] = {cal.pk: schedules[cal.pk]}
    rows = []
    for ticket in tickets:
        charged = None
        if is_breach:
            charged = (
                charged_tier(ticket.sla, ticket, now) if crossing.target == Target.RESOLUTION else ticket.tier
            )
        rows.append((ticket.pk, ticket.tier, charged, getattr(ticket, f"{crossing.target}_due")))
    mine = _insert_alerts(crossing, rows, now)
    TicketSla.objects.filter(ticket_id__in=pks, **{f"{crossing.flag}__isnull": True}).update(
        **{crossing.flag: now}
    )
    if not mine:
        return len(pks), 0
    if is_breach:
        Ticket.objects.filter(pk__in=mine).update(sla_state=SlaState.BREACHED)
    else:
        Ticket.objects.filter(pk__in=mine).exclude(sla_state=SlaState.BREACHED).update(
            sla_state=SlaState.WARNING
        )
    entries: list[tuple[Ticket, dict[str, Any]]] = []
    for ticket in tickets:
        if ticket.pk not in mine:
            continue
        if is_breach or ticket.sla_state != SlaState.BREACHED:
            ticket.sla_state = SlaState.BREACHED if is_breach else SlaState.WARNING
        data: dict[str, Any] = {"target": crossing.target, "tier": ticket.tier}
        if mine[ticket.pk] is not None:
            data["charged_tier"] = mine[ticket.pk]
        entries.append((ticket, data))
    # One INSERT for the batch's events; receivers (notifications) still get one signal per event.
    event_record_many(kind=crossing.event_kind, entries=entries, actor=None)
    if is_breach:
        for ticket, _data in entries:
            setattr(ticket.sla, crossing.flag, now)
            _auto_escalate(ticket, now)
    return len(pks), len(mine)


def _insert_alerts(
    crossing: Crossing, rows: list[tuple[int, int, int | None, datetime | None]], now: datetime
) -> dict[int, int | None]:
    """Insert one alert per (ticket, tier, charged tier, due); returns {ticket id: charged tier} of the rows
    this call inserted. A concurrent sweep that got there first wins the unique constraint and its rows are
    skipped (ON CONFLICT DO NOTHING … RETURNING; PostgreSQL and SQLite ≥ 3.35 alike)."""
    field = SlaAlert._meta.get_field
    column = {name: connection.ops.quote_name(field(name).column) for name in SLA_ALERT_COLUMNS}
    created = field("created_at").get_db_prep_value(now, connection)
    data = field("data").get_db_prep_value({}, connection)
    params: list[Any] = []
    for ticket_id, tier, charged, due in rows:
        due_db = field("due").get_db_prep_value(due, connection)
        params += [ticket_id, crossing.target, crossing.kind, tier, charged, due_db, created, data]
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(SlaAlert._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(column.values())}) VALUES {values} "
        f"ON CONFLICT ({column['ticket']}, {column['target']}, {column['kind']}) DO NOTHING "
        f"RETURNING {column['ticket']}, {column['charged_tier']}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


SLA_ALERT_COLUMNS = ("ticket", "target", "kind", "tier", "charged_tier", "due", "created_at", "data")


def _auto_escalate(ticket: Ticket, now: datetime) -> None:
    sla = ticket.sla
    if sla.policy is None or not sla.policy.auto_escalate_on_breach:
        return
    if ticket.tier >= max(TIERS) or sla.auto_escalated_at is not None:
        return
    try:
        from escalation.services import ticket_escalate
    except ImportError:  # the escalation app is optional for the SLA
        return
    try:
        # A savepoint: a refused escalation must not undo the breach.
        with transaction.atomic():
            ticket_escalate(ticket=ticket, by=None, reason="sla_breach", **breach_handoff(ticket))
    except ApplicationError as exc:
        logger.info("SLA breach of %s: no auto-escalation (%s)", ticket.reference, exc.message)
        return
    except Exception:
        # Never let one ticket's failed escalation roll back (and so block) the whole batch every minute.
        logger.exception("SLA breach of %s: auto-escalation failed", ticket.reference)
        return
    sla.auto_escalated_at = now
    TicketSla.objects.filter(pk=sla.pk).update(auto_escalated_at=now)


# --- the handoff written for an auto-escalation -------------------------------------------------------

HANDOFF_MAX_LINES = 30
_HANDOFF_SKIP = {Kind.NOTIFICATION, Kind.SLA_DUE, Kind.SLA_WARNING}


def _when(moment: datetime, tz: Any) -> str:
    """A date and time in the handoff's text as the pages show one (docs/ui.md, "Dates")."""
    return date_format(moment.astimezone(tz), "DATETIME_FORMAT")


def breach_handoff(ticket: Ticket) -> dict[str, str]:
    """Summary and steps taken for an escalation on breach, written from the ticket's timeline.

    Agent-facing (the receiving team reads it), so internal notes are included, shortened.
    """
    sla = TicketSla.objects.select_related("policy").filter(ticket=ticket).first()
    missed = []
    if sla is not None:
        if sla.first_response_breached_at or sla.first_response_met is False:
            missed.append(str(Target.FIRST_RESPONSE.label).lower())
        if sla.resolution_breached_at or sla.resolution_met is False:
            missed.append(str(Target.RESOLUTION.label).lower())
    tz = timezone.get_current_timezone()
    summary = _(
        "SLA breach (%(targets)s) on %(reference)s “%(subject)s”: priority %(priority)s, tier %(tier)s%(team)s."
    ) % {
        "targets": ", ".join(missed) or _("due time passed"),
        "reference": ticket.reference,
        "subject": ticket.subject,
        "priority": ticket.priority,
        "tier": ticket.tier,
        "team": f", {ticket.team.name}" if ticket.team_id and ticket.team else "",
    }
    if sla is not None and sla.policy is not None:
        summary += " " + _("Policy %(policy)s; resolution was due %(due)s.") % {
            "policy": sla.policy.name,
            "due": _when(sla.resolution_due, tz) if sla.resolution_due else "—",
        }
    lines: list[tuple[datetime, str]] = []
    for event in ticket.events.select_related("actor").exclude(kind__in=_HANDOFF_SKIP):
        if event.kind in (Kind.MESSAGE, Kind.NOTE):
            continue  # the message itself is listed below
        who = event.actor.get_username() if event.actor else _("system")
        change = f": {event.old_value} → {event.new_value}" if event.field else ""
        lines.append((event.created_at, f"{event.get_kind_display()}{change} ({who})"))
    agent_messages = list(ticket.messages.select_related("author").filter(by_agent=True))
    for message in agent_messages:
        who = message.author.get_username() if message.author else _("system")
        label = _("Internal note") if message.internal else _("Public reply")
        body = " ".join(message.body.split())
        lines.append((message.created_at, f"{label} ({who}): {body[:200]}"))
    lines.sort(key=lambda pair: pair[0])
    steps = [f"{_when(at, tz)} {text}" for at, text in lines[-HANDOFF_MAX_LINES:]]
    if not agent_messages:
        steps.append(_("No agent replied or wrote a note before the breach."))
    return {"summary": summary, "steps_taken": "\n".join(steps)}


# --- policies and calendars -------------------------------------------------------------------------------


def _apply(obj: Any, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)


def _check_policy(policy: SlaPolicy) -> None:
    if policy.tier1_share + policy.tier2_share + policy.tier3_share != 100:
        raise ApplicationError(_(TIER_SHARES_SUM), field="tier_shares")
    if policy.customer_id is not None and not policy.customer.is_customer:
        raise ApplicationError(_("Choose a customer."), field="customer")


@transaction.atomic
def sla_policy_save(*, policy: SlaPolicy | None = None, **fields: Any) -> SlaPolicy:
    """Create (``policy=None``) or change a policy. Making one the default unsets the previous default."""
    policy = policy or SlaPolicy()
    _apply(policy, fields)
    _check_policy(policy)
    if policy.is_default:
        # One UPDATE, which the audit registry's signals do not see: recorded here (issue #14).
        audit_queryset_update(
            SlaPolicy.objects.filter(is_default=True).exclude(pk=policy.pk), is_default=False
        )
    policy.full_clean(validate_constraints=False)
    is_update = policy.pk is not None
    policy.save()
    if is_update:
        from .tasks import sla_policy_reapply

        # Open tickets on this policy follow its new targets; done in batches by the worker.
        sla_policy_reapply.delay_on_commit(policy_id=policy.pk)
    return policy


# Tickets recomputed per transaction when a policy changes; each takes its ticket's row lock briefly.
REAPPLY_BATCH_SIZE = 200


def sla_policy_reapply(
    *, policy_id: int, after_ticket_id: int = 0, batch_size: int = REAPPLY_BATCH_SIZE
) -> int:
    """Recompute the due times of open tickets on a changed policy; paused time is kept.

    Returns the last ticket id done when more may follow (the task re-enqueues itself), else 0.
    """
    from tickets.services import ticket_lock

    pks = list(
        TicketSla.objects.filter(
            policy_id=policy_id,
            stopped_at__isnull=True,
            ticket__status__in=Ticket.OPEN_STATUSES,
            ticket_id__gt=after_ticket_id,
        )
        .order_by("ticket_id")
        .values_list("ticket_id", flat=True)[:batch_size]
    )
    for pk in pks:
        with transaction.atomic():
            ticket = ticket_lock(pk=pk)
            sla = _sla_of(ticket)
            _compute_due(sla, ticket)
            _save(sla, ticket)
    return pks[-1] if len(pks) == batch_size else 0


@transaction.atomic
def sla_policy_delete(*, policy: SlaPolicy) -> None:
    policy.delete()


@transaction.atomic
def calendar_save(
    *, calendar: Calendar | None = None, custom_holidays: list[dict] | None = None, **fields: Any
) -> Calendar:
    """Create or change a calendar; ``custom_holidays`` ([{date, name}]) replaces the custom days when given."""
    calendar = calendar or Calendar()
    _apply(calendar, fields)
    calendar.full_clean()
    calendar.save()
    if custom_holidays is not None:
        calendar.custom_holidays.all().delete()
        days = CustomHoliday.objects.bulk_create(
            CustomHoliday(calendar=calendar, date=h["date"], name=h["name"]) for h in custom_holidays
        )
        audit_bulk_created(days)
    return calendar


def calendar_delete_blocker(calendar: Calendar) -> str | None:
    """Why ``calendar`` cannot be deleted (the policies that use it), else None."""
    names = list(calendar.policies.order_by("name").values_list("name", flat=True))
    if not names:
        return None
    return ngettext(
        "This calendar is used by the policy %(names)s: give it another calendar first.",
        "This calendar is used by the policies %(names)s: give them another calendar first.",
        len(names),
    ) % {"names": ", ".join(_("“%(name)s”") % {"name": n} for n in names)}


@transaction.atomic
def calendar_delete(*, calendar: Calendar) -> None:
    blocker = calendar_delete_blocker(calendar)
    if blocker:
        raise ApplicationError(blocker)
    calendar.delete()
