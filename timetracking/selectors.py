"""Reads on time entries: a ticket's entries and totals, and the totals per customer, team and agent
for the dashboard and its CSV. Sums are done by the database (one grouped query per table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import Team, User
from organisations.selectors import organisation_member_ids
from tickets.selectors import ticket_visible_qs

from .models import RunningTimer, TimeEntry


def time_entry_visible_qs(*, user: Any) -> QuerySet[TimeEntry]:
    """Time entries are internal: agents see them on every ticket they can see, customers none."""
    if not (user and user.is_authenticated and user.is_agent):
        return TimeEntry.objects.none()
    return TimeEntry.objects.filter(ticket__in=ticket_visible_qs(user=user))


def ticket_time_entries(*, user: Any, ticket: Any) -> QuerySet[TimeEntry]:
    return time_entry_visible_qs(user=user).filter(ticket=ticket).select_related("agent", "team")


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


# Aliases differ from the field names: an annotation may not shadow the field it sums.
_SUMS = {
    "sum_minutes": Sum("minutes"),
    "sum_billable": Sum("minutes", filter=Q(billable=True)),
    "n_entries": Count("id"),
}


def _sums(r: dict[str, Any]) -> dict[str, int]:
    return {
        "minutes": r["sum_minutes"] or 0,
        "billable_minutes": r["sum_billable"] or 0,
        "entries": r["n_entries"] or 0,
    }


def ticket_time_totals(*, entries: list[TimeEntry]) -> dict[str, Any]:
    """Total, billable and per agent, from the ticket's entries already loaded for the panel."""
    per_agent: dict[int, dict[str, Any]] = {}
    for e in entries:
        row = per_agent.setdefault(e.agent_id, {"agent": e.agent, "minutes": 0})
        row["minutes"] += e.minutes
    return {
        "minutes": sum(e.minutes for e in entries),
        "billable_minutes": sum(e.minutes for e in entries if e.billable),
        "entries": len(entries),
        "by_agent": sorted(per_agent.values(), key=lambda r: -r["minutes"]),
    }


def ticket_time_summary(*, ticket: Any) -> dict[str, Any]:
    """The totals endpoint: one grouped query."""
    rows = list(
        TimeEntry.objects.filter(ticket=ticket)
        .values("agent_id", "agent__username", "agent__first_name", "agent__last_name")
        .annotate(**_SUMS)
        .order_by("-sum_minutes", "agent_id")
    )
    by_agent = [
        {
            "agent": r["agent_id"],
            "name": _name(r["agent__first_name"], r["agent__last_name"], r["agent__username"]),
            **_sums(r),
        }
        for r in rows
    ]
    return {
        "minutes": sum(r["minutes"] for r in by_agent),
        "billable_minutes": sum(r["billable_minutes"] for r in by_agent),
        "entries": sum(r["entries"] for r in by_agent),
        "by_agent": [{k: v for k, v in r.items() if k != "entries"} for r in by_agent],
    }


def running_timer(*, user: Any) -> RunningTimer | None:
    return RunningTimer.objects.filter(agent=user).select_related("ticket").first()


@dataclass(frozen=True)
class TimeFilters:
    date_from: date
    date_to: date
    team: int | None = None
    tier: int | None = None
    categories: tuple[int, ...] | None = None  # a category with its sub-categories
    channel: str | None = None
    billable: bool | None = None
    organisation: int | None = None  # the ticket's requester's organisation


def _filtered(f: TimeFilters) -> QuerySet[TimeEntry]:
    qs = TimeEntry.objects.filter(date__gte=f.date_from, date__lte=f.date_to)
    if f.team:
        qs = qs.filter(team_id=f.team)
    if f.tier:
        qs = qs.filter(tier=f.tier)
    if f.categories:
        qs = qs.filter(ticket__category_id__in=f.categories)
    if f.channel:
        qs = qs.filter(ticket__channel=f.channel)
    if f.billable is not None:
        qs = qs.filter(billable=f.billable)
    if f.organisation:
        qs = qs.filter(ticket__requester_id__in=organisation_member_ids(f.organisation))
    return qs


def _rows(qs: QuerySet[TimeEntry], key: str, names: Any, limit: int | None) -> list[dict[str, Any]]:
    """Sums grouped by one id, largest first (the top ``limit``), then their names in one query:
    the grouping never joins the name tables."""
    grouped = qs.values(key).annotate(**_SUMS).order_by("-sum_minutes", key)
    rows = list(grouped[:limit] if limit else grouped)
    labels = names({r[key] for r in rows if r[key] is not None})
    return [{"id": r[key], "name": labels.get(r[key], ""), **_sums(r)} for r in rows]


def _people(ids: set[int]) -> dict[int, str]:
    users = User.objects.filter(pk__in=ids).only("username", "first_name", "last_name")
    return {u.pk: _name(u.first_name, u.last_name, u.username) for u in users}


def _teams(ids: set[int]) -> dict[int, str]:
    return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))


def time_report(f: TimeFilters, *, limit: int | None = None) -> dict[str, Any]:
    """Totals of the period and per customer, team and agent (the top ``limit`` of each, None: all):
    a sum and one grouped query per table over the date index, plus one for each table's names."""
    qs = _filtered(f)
    return {
        **_sums(qs.aggregate(**_SUMS)),
        "by_customer": _rows(qs, "customer", _people, limit),
        "by_team": _rows(qs, "team", _teams, limit),
        "by_agent": _rows(qs, "agent", _people, limit),
    }


def time_entries_export(f: TimeFilters) -> QuerySet[TimeEntry]:
    """Every entry of the period, for the detailed CSV."""
    return _filtered(f).order_by("date", "id")
