"""Reads on time entries: a ticket's entries and totals, and the totals per customer, team and agent
for the dashboard and its CSV. Sums are done by the database (one grouped query per table)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

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
    return qs


def _rows(qs: QuerySet[TimeEntry], group: dict[str, str], name: Any) -> list[dict[str, Any]]:
    out = []
    for r in qs.values(*group.values()).annotate(**_SUMS).order_by("-sum_minutes", *group.values()):
        out.append({"id": r[group["id"]], "name": name(r), **_sums(r)})
    return out


def time_report(f: TimeFilters) -> dict[str, Any]:
    """Totals of the period and per customer, team, agent: four grouped queries over the date index."""
    qs = _filtered(f)
    total = _sums(qs.aggregate(**_SUMS))
    person = {"id": "{0}", "u": "{0}__username", "f": "{0}__first_name", "l": "{0}__last_name"}

    def people(prefix: str) -> list[dict[str, Any]]:
        group = {k: v.format(prefix) for k, v in person.items()}
        return _rows(qs, group, lambda r: _name(r[group["f"]], r[group["l"]], r[group["u"]]))

    return {
        **total,
        "by_customer": people("ticket__requester"),
        "by_team": _rows(
            qs, {"id": "team_id", "n": "team__name", "t": "team__tier"}, lambda r: r["team__name"]
        ),
        "by_agent": people("agent"),
    }


def time_entries_export(f: TimeFilters) -> QuerySet[TimeEntry]:
    """Every entry of the period, for the detailed CSV."""
    return _filtered(f).order_by("date", "id")
