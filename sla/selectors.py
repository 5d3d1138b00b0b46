"""SLA reads: policies, calendars, the explanation of a ticket's due times, the customer's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team
from tickets.models import Ticket, TicketEvent

from . import businesstime
from .models import TIERS, Calendar, SlaPolicy, TicketSla
from .services import schedule_of, tier_usage

Kind = TicketEvent.Kind
Status = Ticket.Status


def policy_list() -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.select_related("calendar", "category", "customer").order_by(
        "-is_default", "name"
    )


def policy_open_ticket_count(policy: SlaPolicy) -> int:
    return TicketSla.objects.filter(policy=policy, ticket__status__in=Ticket.OPEN_STATUSES).count()


def calendar_list() -> QuerySet[Calendar]:
    return Calendar.objects.prefetch_related("custom_holidays").order_by("name")


def ticket_sla_get(*, ticket: Ticket) -> TicketSla | None:
    return TicketSla.objects.select_related("policy__calendar").filter(ticket=ticket).first()


# --- the agent's explanation --------------------------------------------------------------------------


@dataclass(frozen=True)
class TierUse:
    tier: int
    share: int
    budget_minutes: float
    used_minutes: float

    @property
    def over(self) -> bool:
        return self.used_minutes > self.budget_minutes


@dataclass(frozen=True)
class TicketSlaExplanation:
    policy: str
    calendar: str
    state: str
    paused_since: datetime | None
    targets: list[tuple[businesstime.Explanation, bool | None, datetime | None, datetime | None]]
    tiers: list[TierUse]


def _pauses(sla: TicketSla, before: datetime | None = None) -> list[businesstime.Pause]:
    out = []
    for p in sla.pauses or []:
        start = datetime.fromisoformat(p["start"])
        if before is not None and start >= before:
            continue
        out.append(
            businesstime.Pause(
                start=start,
                end=datetime.fromisoformat(p["end"]) if p.get("end") else None,
                business_seconds=int(p.get("seconds", 0)),
                reason=p.get("reason", "pending"),
            )
        )
    if sla.pause_started_at is not None and before is None:
        out.append(businesstime.Pause(start=sla.pause_started_at, end=None, business_seconds=0))
    return out


def ticket_sla_explain(*, ticket: Ticket, now: datetime | None = None) -> TicketSlaExplanation | None:
    """Why each due time is what it is: policy, calendar, holidays skipped, pauses, time used per tier."""
    sla = ticket_sla_get(ticket=ticket)
    if sla is None or sla.policy is None:
        return None
    schedule = schedule_of(sla)
    assert schedule is not None
    policy = sla.policy
    targets = []
    for target, met_at in (
        (TicketSla.Target.FIRST_RESPONSE, ticket.first_response_at),
        (TicketSla.Target.RESOLUTION, ticket.resolved_at),
    ):
        due = getattr(sla, f"{target}_due")
        if due is None:
            continue
        met = getattr(sla, f"{target}_met")
        # A met target's due time is history: only the pauses before it counted.
        pauses = _pauses(sla, before=met_at if (met is not None and met_at) else None)
        explanation = businesstime.explain_due(
            schedule,
            target=str(target.label),
            policy=policy.name,
            calendar=policy.calendar.name,
            start=sla.started_at,
            target_minutes=policy.target_minutes(target, ticket.priority),
            pauses=pauses,
        )
        targets.append(
            (
                explanation,
                met,
                getattr(sla, f"{target}_warned_at"),
                getattr(sla, f"{target}_breached_at"),
            )
        )
    used = tier_usage(sla, now)
    resolution = policy.resolution_minutes(ticket.priority)
    tiers = [
        TierUse(
            tier=tier,
            share=policy.tier_share(tier),
            budget_minutes=resolution * policy.tier_share(tier) / 100,
            used_minutes=round(used[tier] / 60, 1),
        )
        for tier in TIERS
    ]
    return TicketSlaExplanation(
        policy=policy.name,
        calendar=policy.calendar.name,
        state=ticket.sla_state,
        paused_since=sla.pause_started_at,
        targets=targets,
        tiers=tiers,
    )


def agent_panel_context(request: Any, ticket: Ticket) -> dict | None:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_agent):
        return None
    return {"sla": ticket_sla_explain(ticket=ticket), "ticket": ticket}


# --- the customer's timeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    label: str
    at: datetime
    expected: datetime | None = None
    expected_label: str = ""


def _desk(team: Team | None, tier: int) -> str:
    if tier <= 1:
        return _("our service desk")
    if team is not None:
        return _("our %(team)s specialists") % {"team": team.name}
    return _("our specialists")


def portal_timeline(*, ticket: Ticket, now: datetime | None = None) -> list[Step]:
    """The request's way in plain language, from public facts only: status, tier and team.

    Never internal notes, handoffs, agent names or SLA internals; the one expected time
    shown is the next due time the SLA promises, and only while it still lies ahead.
    """
    now = now or timezone.now()
    events = list(
        ticket.events.filter(
            kind__in=[Kind.CREATED, Kind.STATUS, Kind.RESOLVED, Kind.REOPENED, Kind.CLOSED, *TIER_EVENT_KINDS]
        ).only("kind", "field", "old_value", "new_value", "created_at", "data")
    )
    tier_events = [e for e in events if e.field == "tier"]
    team_ids = {e.data.get("team") for e in tier_events if isinstance(e.data.get("team"), int)}
    teams = Team.objects.in_bulk(team_ids) if team_ids else {}
    steps: list[Step] = []
    tier = 1
    team: Team | None = None

    def add(label: str, at: datetime) -> None:
        if not steps or steps[-1].label != label:
            steps.append(Step(label=label, at=at))

    for event in events:
        if event.kind == Kind.CREATED:
            add(_("Received"), event.created_at)
        elif event.field == "tier":
            try:
                new_tier = int(event.new_value)
            except ValueError:
                continue
            team = teams.get(event.data.get("team")) if isinstance(event.data.get("team"), int) else None
            if team is None and event is tier_events[-1]:
                team = ticket.team
            tier = new_tier
            if tier <= 1:
                add(_("Back with our service desk"), event.created_at)
            else:
                add(_("Forwarded to %(desk)s") % {"desk": _desk(team, tier)}, event.created_at)
        elif event.field == "status":
            new = event.new_value
            if new == Status.OPEN:
                add(_("Being worked on by %(desk)s") % {"desk": _desk(team, tier)}, event.created_at)
            elif new == Status.PENDING:
                add(_("Waiting for your reply"), event.created_at)
            elif new == Status.RESOLVED:
                add(_("Solved"), event.created_at)
            elif new == Status.CLOSED:
                add(_("Closed"), event.created_at)
    if not steps:
        steps.append(Step(label=_("Received"), at=ticket.created_at))
    expected, label = _expected(ticket, now)
    if expected is not None:
        last = steps[-1]
        steps[-1] = Step(label=last.label, at=last.at, expected=expected, expected_label=label)
    return steps


TIER_EVENT_KINDS = (Kind.ESCALATED, Kind.DEESCALATED, Kind.TIER)


def _expected(ticket: Ticket, now: datetime) -> tuple[datetime | None, str]:
    if ticket.status not in (Status.NEW, Status.OPEN) or ticket.sla_paused_at is not None:
        return None, ""
    if ticket.first_response_at is None and ticket.first_response_due and ticket.first_response_due > now:
        return ticket.first_response_due, _("We expect to reply by")
    if ticket.resolution_due and ticket.resolution_due > now:
        return ticket.resolution_due, _("Expected solution by")
    return None, ""


def portal_panel_context(request: Any, ticket: Ticket) -> dict | None:
    return {"steps": portal_timeline(ticket=ticket), "ticket_reference": ticket.reference}
