"""Selectors for the supervisor metrics (PRODUCT.md "Metrics" is the contract).

Every number is an aggregate SQL query over the counters and timestamps kept on the
ticket (and the ESCALATED / DEESCALATED events for the tier-to-tier flow); nothing
replays events or loops over tickets in Python. The one exception: percentiles on
SQLite (no ``percentile_cont``) are computed in Python — SQLite is the no-server
development database, never the one a million tickets live in.

The ticket list behind each number (``metric_tickets``) uses the very same ``Q``
objects as the aggregate, so a number and its list can never disagree.

A value that cannot be computed yet (the app it needs is not installed, or does not
offer what is needed) is ``None`` — the page shows "not available", never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from accounts.models import Team
from organisations.selectors import organisation_member_ids
from tickets.models import Category, Ticket, TicketEvent
from tickets.selectors import ticket_visible_qs

from .models import DailyStat
from .rollup import TIER_MOVES, period_sums

Status = Ticket.Status
RESOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)
OPEN_STATUSES = tuple(Ticket.OPEN_STATUSES)

# Periods longer than this are charted per week instead of per day.
WEEKLY_TREND_AFTER_DAYS = 92
# Percentiles over more wall-time rows than this are not computed in Python (SQLite only).
PYTHON_PERCENTILE_MAX_ROWS = 200_000
# Beyond REPORTING_EXACT_PERCENTILES_MAX resolved tickets, percentiles come from every n-th ticket.
# The SLA clock's business seconds (sla.TicketSla), read through the ticket.
BUSINESS_FR = "sla__first_response_business_seconds"
BUSINESS_RES = "sla__resolution_business_seconds"
PERCENTILE_SAMPLE_EVERY = 16  # the partial index reporting_ticket_resolved_sample (migration 0005)
TOP_CATEGORIES = 10


# --- the period and the filters ---------------------------------------------------------------


@dataclass(frozen=True)
class MetricFilters:
    """A period of whole days (inclusive, in ``settings.TIME_ZONE``) and optional ticket filters.

    ``team`` and ``tier`` are the ticket's team and tier (for a resolved ticket: where it
    was resolved); ``category`` includes its sub-categories.
    """

    date_from: date
    date_to: date
    team: int | None = None
    tier: int | None = None
    category: int | None = None
    channel: str | None = None
    # The requester's organisation (``organisations``): tickets of its members.
    organisation: int | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(settings.TIME_ZONE)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time.min, tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=self.tz)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> MetricFilters:
        """The period of equal length right before this one, same filters."""
        return replace(
            self,
            date_from=self.date_from - timedelta(days=self.days),
            date_to=self.date_from - timedelta(days=1),
        )

    def as_params(self) -> dict[str, str]:
        """Query-string parameters that reproduce these filters (links, CSV)."""
        params = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        for key in ("team", "tier", "category", "channel", "organisation"):
            value = getattr(self, key)
            if value not in (None, ""):
                params[key] = str(value)
        return params


def default_period(*, days: int = 30, today: date | None = None) -> tuple[date, date]:
    """The last ``days`` days up to and including today (in ``settings.TIME_ZONE``)."""
    today = today or timezone.localdate(timezone=ZoneInfo(settings.TIME_ZONE))
    return today - timedelta(days=days - 1), today


def category_ids(category_id: int) -> list[int]:
    """The category and all its descendants (one query over the small category table)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, todo = [], [category_id]
    while todo:
        pk = todo.pop()
        if pk in out:
            continue
        out.append(pk)
        todo.extend(children.get(pk, []))
    return out


def scope_q(filters: MetricFilters, *, prefix: str = "") -> Q:
    """The team / tier / category / channel / organisation filter (not the period)."""
    q = Q()
    if filters.organisation is not None:
        q &= Q(**{f"{prefix}requester_id__in": organisation_member_ids(filters.organisation)})
    if filters.team is not None:
        q &= Q(**{f"{prefix}team_id": filters.team})
    if filters.tier is not None:
        q &= Q(**{f"{prefix}tier": filters.tier})
    if filters.category is not None:
        q &= Q(**{f"{prefix}category_id__in": category_ids(filters.category)})
    if filters.channel:
        q &= Q(**{f"{prefix}channel": filters.channel})
    return q


def resolved_q(filters: MetricFilters, *, prefix: str = "") -> Q:
    """Resolved in the period, by the last resolution: a reopened ticket that is open again
    does not count (its ``resolved_at`` is from the earlier resolution)."""
    return Q(
        **{
            f"{prefix}status__in": RESOLVED_STATUSES,
            f"{prefix}resolved_at__gte": filters.start,
            f"{prefix}resolved_at__lt": filters.end,
        }
    )


def created_q(filters: MetricFilters, *, prefix: str = "") -> Q:
    return Q(**{f"{prefix}created_at__gte": filters.start, f"{prefix}created_at__lt": filters.end})


# --- the definitions, as Q objects shared by the numbers and the lists ------------------------

FLR_Q = Q(resolved_tier=1, escalation_count=0)
FCR_Q = FLR_Q & Q(reopen_count=0, customer_followup_count=0, public_reply_count__lte=1)
REOPENED_Q = Q(reopen_count__gte=1)
ESCALATED_Q = Q(escalation_count__gte=1)
DEESCALATED_Q = Q(deescalation_count__gte=1)
PING_PONG_Q = Q(escalation_count__gte=2, deescalation_count__gte=1)
SLA_FR_DEN_Q = Q(first_response_due__isnull=False)
# A ticket resolved without a public reply (a phone call solved on the spot) responded by resolving.
SLA_FR_MET_Q = SLA_FR_DEN_Q & Q(
    LessThanOrEqual(Coalesce("first_response_at", "resolved_at"), F("first_response_due"))
)
SLA_RES_DEN_Q = Q(resolution_due__isnull=False)
SLA_RES_MET_Q = SLA_RES_DEN_Q & Q(resolved_at__lte=F("resolution_due"))
RATED_Q = Q(rating__isnull=False)


def _tier_step_q(old: int, new: int) -> Q:
    """Tickets with an ESCALATED event from tier ``old`` to ``new`` (the event rows, not a replay)."""
    return Q(
        Exists(
            TicketEvent.objects.filter(
                ticket=OuterRef("pk"),
                kind=TicketEvent.Kind.ESCALATED,
                old_value=str(old),
                new_value=str(new),
            )
        )
    )


@dataclass(frozen=True)
class MetricDef:
    key: str
    population: str  # "resolved" | "created" | "backlog"
    numerator: Callable[[], Q] | None
    denominator: Callable[[], Q] | None = None  # narrows the population


METRICS: dict[str, MetricDef] = {
    m.key: m
    for m in [
        MetricDef("resolved", "resolved", None),
        MetricDef("created", "created", None),
        MetricDef("flr", "resolved", lambda: FLR_Q),
        MetricDef("fcr", "resolved", lambda: FCR_Q),
        MetricDef("reopen", "resolved", lambda: REOPENED_Q),
        MetricDef("escalation", "created", lambda: ESCALATED_Q),
        MetricDef("escalation_1_2", "created", lambda: _tier_step_q(1, 2)),
        MetricDef("escalation_2_3", "created", lambda: _tier_step_q(2, 3)),
        MetricDef("deescalation", "created", lambda: DEESCALATED_Q),
        MetricDef("ping_pong", "created", lambda: PING_PONG_Q),
        MetricDef("sla_first_response", "resolved", lambda: SLA_FR_MET_Q, lambda: SLA_FR_DEN_Q),
        MetricDef("sla_resolution", "resolved", lambda: SLA_RES_MET_Q, lambda: SLA_RES_DEN_Q),
        MetricDef("csat", "resolved", lambda: RATED_Q),
        MetricDef(
            "escalated_solved_with_existing_article",
            "resolved",
            lambda: solved_with_existing_article_q(),
            lambda: ESCALATED_Q,
        ),
        MetricDef("backlog", "backlog", None),
    ]
}

AGE_BUCKETS: dict[str, tuple[timedelta | None, timedelta | None]] = {
    "lt_1d": (None, timedelta(days=1)),
    "1_3d": (timedelta(days=1), timedelta(days=3)),
    "3_7d": (timedelta(days=3), timedelta(days=7)),
    "gt_7d": (timedelta(days=7), None),
}


def _age_q(bucket: str, now: datetime) -> Q:
    low, high = AGE_BUCKETS[bucket]
    q = Q()
    if low is not None:  # older than ``low``
        q &= Q(created_at__lte=now - low)
    if high is not None:  # younger than ``high``
        q &= Q(created_at__gt=now - high)
    return q


def metric_tickets(
    *,
    metric: str,
    filters: MetricFilters,
    part: str = "numerator",
    backlog_tier: int | None = None,
    backlog_team: int | None = None,
    backlog_age: str | None = None,
    user: Any = None,
) -> QuerySet[Ticket]:
    """The tickets behind one number: the numerator (default) or the denominator of a rate.

    With ``user``, only tickets that user may see (the one visibility selector of the core;
    the pages are for supervisors, who see all). Raises KeyError for an unknown metric.
    """
    definition = METRICS[metric]
    base = ticket_visible_qs(user=user) if user is not None else Ticket.objects.all()
    qs = base.filter(scope_q(filters))
    if definition.population == "resolved":
        qs = qs.filter(resolved_q(filters))
    elif definition.population == "created":
        qs = qs.filter(created_q(filters))
    else:
        qs = qs.filter(status__in=OPEN_STATUSES)
        if backlog_tier is not None:
            qs = qs.filter(tier=backlog_tier)
        if backlog_team is not None:
            qs = qs.filter(team_id=backlog_team)
        if backlog_age:
            qs = qs.filter(_age_q(backlog_age, timezone.now()))
    if definition.denominator is not None:
        qs = qs.filter(definition.denominator())
    if part == "numerator" and definition.numerator is not None:
        qs = qs.filter(definition.numerator())
    return qs.select_related("team", "category", "assignee", "resolved_by").order_by("-id")


# --- SQL helpers ---------------------------------------------------------------------------


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class PercentileCont(Aggregate):
    """PostgreSQL ``percentile_cont(ARRAY[fractions]) WITHIN GROUP (ORDER BY expr)``: all the
    fractions from one sort."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fractions: tuple[float, ...], **extra: Any) -> None:
        from django.contrib.postgres.fields import ArrayField

        super().__init__(
            expression,
            fractions=", ".join(f"{float(f)!r}" for f in fractions),
            output_field=ArrayField(FloatField()),
            **extra,
        )


class Minutes(Func):
    """Minutes between two timestamps, as float (PostgreSQL). ``date_part`` rather than
    ``EXTRACT``, which returns numeric since PostgreSQL 14: sorting doubles for the
    percentiles is twice as fast."""

    template = "(date_part('epoch', %(expressions)s) / 60.0)"
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Like ``percentile_cont``: linear interpolation between the closest ranks."""
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * fraction
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


def _minutes_py(end: datetime | None, start: datetime | None) -> float | None:
    if end is None or start is None:
        return None
    return (end - start).total_seconds() / 60.0


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def rate(numerator: int | None, denominator: int | None) -> dict[str, Any]:
    numerator, denominator = int(numerator or 0), int(denominator or 0)
    return {
        "rate": round(numerator / denominator, 4) if denominator else None,
        "numerator": numerator,
        "denominator": denominator,
    }


# --- optional parts from the apps around the core (imported lazily) ------------------------


def _per_team_counts(qs: Any, filters: MetricFilters, *, team: str, at: str) -> list[dict[str, Any]]:
    """Rows of ``qs`` (escalations / consults) whose ``at`` lies in the period, counted per ``team``."""
    rows = (
        qs.filter(**{f"{at}__gte": filters.start, f"{at}__lt": filters.end})
        .filter(scope_q(filters, prefix="ticket__"))
        .values(team, f"{team}__name")
        .annotate(count=Count("pk"))
        .order_by("-count", f"{team}__name")
    )
    return [{"team": r[team], "name": r[f"{team}__name"], "count": r["count"]} for r in rows]


def declined_escalations(filters: MetricFilters) -> list[dict[str, Any]]:
    """Declined escalations per receiving team (escalations created in the period)."""
    from escalation.models import Escalation

    qs = Escalation.objects.filter(status=Escalation.Status.DECLINED)
    return _per_team_counts(qs, filters, team="to_team", at="created_at")


def consults(filters: MetricFilters) -> list[dict[str, Any]]:
    """Consults per consulted team (asked in the period)."""
    from escalation.models import Consult

    return _per_team_counts(Consult.objects.all(), filters, team="team", at="asked_at")


# The portal's form creates requests of this channel; a deflection is one that was not made.
DEFLECTION_CHANNEL = Ticket.Channel.WEB


def deflection_rows(filters: MetricFilters) -> QuerySet[Any] | None:
    """The deflections behind the number: "this solved my problem" on a portal suggestion in the
    period, from a session that did not submit a request afterwards (``submitted_ticket`` unset).

    ``category`` matches the article's categories (with sub-categories); ``channel`` is the web
    channel's (another channel has none). ``team`` and ``tier`` do not apply — no ticket, no team:
    None, never the unfiltered number under a filter it ignores.
    """
    from knowledgebase.models import Article, Deflection

    if filters.team is not None or filters.tier is not None or filters.organisation is not None:
        return None
    qs = Deflection.objects.filter(
        created_at__gte=filters.start, created_at__lt=filters.end, submitted_ticket__isnull=True
    )
    if filters.channel and filters.channel != DEFLECTION_CHANNEL:
        qs = qs.none()
    if filters.category is not None:
        qs = qs.filter(
            Exists(
                Article.categories.through.objects.filter(
                    article_id=OuterRef("article_id"), category_id__in=category_ids(filters.category)
                )
            )
        )
    return qs


def deflections(filters: MetricFilters) -> dict[str, int] | None:
    """``count``: distinct portal sessions with a deflection in the period and no request submitted
    from that session afterwards; ``records``: their deflection rows. None under a team / tier filter.
    No rate: nothing records the sessions that saw suggestions, so there is no honest denominator."""
    qs = deflection_rows(filters)
    if qs is None:
        return None
    row = qs.aggregate(count=Count("session_key", distinct=True), records=Count("pk"))
    return {"count": row["count"], "records": row["records"]}


def solved_with_existing_article_q() -> Q:
    """Linked (``ArticleTicketLink``) to an article that had been published before the ticket's first
    escalation: a version with status published older than its first ESCALATED event. The version
    history is written on every save of an article (services and admin alike), so the first published
    version is when the article first became published; one published later does not count."""
    from knowledgebase.models import Article, ArticleTicketLink, ArticleVersion

    first_escalation = (
        TicketEvent.objects.filter(ticket=OuterRef(OuterRef("ticket_id")), kind=TicketEvent.Kind.ESCALATED)
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    published_before = ArticleVersion.objects.filter(
        article=OuterRef("article_id"),
        status=Article.Status.PUBLISHED,
        created_at__lt=Subquery(first_escalation),
    )
    return Q(Exists(ArticleTicketLink.objects.filter(ticket=OuterRef("pk")).filter(Exists(published_before))))


def escalated_solved_with_existing_article(
    filters: MetricFilters, *, escalated_resolved: int
) -> dict[str, Any]:
    """Of the escalated tickets resolved in the period (``escalated_resolved``, from the summary
    rows): those solved with an article that already existed when they were first escalated —
    what the 1st level could have solved. Only tickets with an article link can count, so the
    query starts from the links; the ticket list uses the same ``Q`` (``METRICS``)."""
    from knowledgebase.models import ArticleTicketLink

    numerator = (
        Ticket.objects.filter(scope_q(filters))
        .filter(resolved_q(filters), ESCALATED_Q, pk__in=ArticleTicketLink.objects.values("ticket_id"))
        .filter(solved_with_existing_article_q())
        .count()
    )
    return rate(numerator, escalated_resolved)


# --- the summary ---------------------------------------------------------------------------


def _core_numbers(filters: MetricFilters) -> dict[str, Any]:
    """The counters of the tickets resolved and of those created in the period, summed from
    the daily summary rows (``reporting.rollup``), and the time percentiles."""
    resolved = period_sums(DailyStat.Population.RESOLVED, filters)[0]
    created = period_sums(DailyStat.Population.CREATED, filters)[0]
    row = {**resolved, **created}
    row["csat_mean"] = row["csat_sum"] / row["csat_responses"] if row["csat_responses"] else None
    row |= _time_percentiles(filters, resolved=row["resolved"])
    return row


def _time_percentiles(filters: MetricFilters, *, resolved: int) -> dict[str, Any]:
    """Median and p90 of first response and resolution time in minutes, wall and business time.

    Wall time is ``first_response_at`` / ``resolved_at`` − ``created_at``. Business time is
    the SLA clock's (``TicketSla.*_business_seconds``): the policy's calendar with paused
    time (pending, resolved before a reopen) left out; a ticket without a policy has none,
    and ``business.count`` says how many tickets the business figures rest on.

    Exact (``percentile_cont`` over every resolved ticket of the period) up to
    ``REPORTING_EXACT_PERCENTILES_MAX`` tickets. Beyond, over the fixed sample of tickets
    whose id is divisible by ``PERCENTILE_SAMPLE_EVERY`` — ids are handed out in arrival
    order, so the sample is spread evenly over time, teams and channels, and its own index
    keeps a year of a million tickets to a sort of some 60,000 values. ``sampled`` says
    which; the counts of tickets beside the wall times are always exact. One query.
    """
    qs = Ticket.objects.filter(scope_q(filters)).filter(resolved_q(filters))
    sampled = resolved > settings.REPORTING_EXACT_PERCENTILES_MAX
    if sampled:
        qs = qs.alias(sample=F("pk") % PERCENTILE_SAMPLE_EVERY).filter(sample=0)
    if not is_postgres():
        return _python_times(qs) | {"sampled": sampled}
    fr = Q(first_response_at__isnull=False)
    bfr = fr & Q(**{f"{BUSINESS_FR}__isnull": False})
    bres = Q(**{f"{BUSINESS_RES}__isnull": False})
    row = qs.aggregate(
        fr=PercentileCont(Minutes("first_response_at", "created_at"), (0.5, 0.9), filter=fr),
        res=PercentileCont(Minutes("resolved_at", "created_at"), (0.5, 0.9)),
        bfr=PercentileCont(F(BUSINESS_FR) / 60.0, (0.5, 0.9), filter=bfr),
        bfr_count=Count("pk", filter=bfr),
        bres=PercentileCont(F(BUSINESS_RES) / 60.0, (0.5, 0.9), filter=bres),
        bres_count=Count("pk", filter=bres),
    )
    out: dict[str, Any] = {"sampled": sampled}
    for key in ("fr", "res", "bfr", "bres"):
        out[f"{key}_median"], out[f"{key}_p90"] = row[key] or (None, None)
    out["bfr_count"], out["bres_count"] = row["bfr_count"], row["bres_count"]
    return out


def _python_times(qs: QuerySet[Ticket]) -> dict[str, Any]:
    """Percentiles on SQLite (development only): the few durations, sorted in Python."""
    rows = list(
        qs.values_list("created_at", "first_response_at", "resolved_at", BUSINESS_FR, BUSINESS_RES)[
            :PYTHON_PERCENTILE_MAX_ROWS
        ]
    )
    series = {
        "fr": [m for c, f, _r, _bf, _br in rows if (m := _minutes_py(f, c)) is not None],
        "res": [m for c, _f, r, _bf, _br in rows if (m := _minutes_py(r, c)) is not None],
        "bfr": [bf / 60.0 for _c, f, _r, bf, _br in rows if f is not None and bf is not None],
        "bres": [br / 60.0 for *_, br in rows if br is not None],
    }
    out: dict[str, Any] = {"bfr_count": len(series["bfr"]), "bres_count": len(series["bres"])}
    for key, values in series.items():
        values.sort()
        out[f"{key}_median"], out[f"{key}_p90"] = percentile(values, 0.5), percentile(values, 0.9)
    return out


def escalation_flow(filters: MetricFilters) -> list[dict[str, Any]]:
    """Tier-to-tier moves of the tickets created in the period: ESCALATED and DEESCALATED
    events per (old tier, new tier), with the number of events and of distinct tickets."""
    return _flow_rows(period_sums(DailyStat.Population.CREATED, filters)[0])


def _flow_rows(sums: dict[str, int]) -> list[dict[str, Any]]:
    rows = [
        {
            "kind": kind,
            "from_tier": str(old),
            "to_tier": str(new),
            "events": sums[f"{prefix}_events"],
            "tickets": sums[f"{prefix}_tickets"],
        }
        for prefix, kind, old, new in TIER_MOVES
        if sums[f"{prefix}_events"]
    ]
    return sorted(rows, key=lambda r: (r["kind"], r["from_tier"], r["to_tier"]))


def _flow_tickets(flow: list[dict[str, Any]], old: str, new: str) -> int:
    return sum(
        r["tickets"]
        for r in flow
        if r["kind"] == TicketEvent.Kind.ESCALATED and r["from_tier"] == old and r["to_tier"] == new
    )


def _business(core: dict[str, Any], key: str) -> dict[str, Any]:
    return {
        "median": _round(core[f"{key}_median"]),
        "p90": _round(core[f"{key}_p90"]),
        "count": core[f"{key}_count"],
    }


def period_numbers(filters: MetricFilters) -> dict[str, Any]:
    """Every metric of one period that depends on the period (everything but the backlog)."""
    core = _core_numbers(filters)
    flow = _flow_rows(core)
    resolved, created = core["resolved"], core["created"]
    return {
        "period": {
            "from": filters.date_from.isoformat(),
            "to": filters.date_to.isoformat(),
            "days": filters.days,
            "timezone": settings.TIME_ZONE,
        },
        "created": created,
        "resolved": resolved,
        "flr": rate(core["flr"], resolved),
        "fcr": rate(core["fcr"], resolved),
        "reopen": rate(core["reopened"], resolved),
        "escalation": rate(core["escalated"], created),
        "escalation_1_2": rate(_flow_tickets(flow, "1", "2"), created),
        "escalation_2_3": rate(_flow_tickets(flow, "2", "3"), created),
        "deescalation": rate(core["deescalated"], created),
        "deescalations": int(core["deescalations"] or 0),
        "ping_pong": rate(core["ping_pong"], created),
        "sla_first_response": rate(core["sla_fr_met"], core["sla_fr_den"]),
        "sla_resolution": rate(core["sla_res_met"], core["sla_res_den"]),
        "first_response_minutes": {
            "median": _round(core["fr_median"]),
            "p90": _round(core["fr_p90"]),
            "count": core["fr_count"],
            "sampled": core["sampled"],
            "business": _business(core, "bfr"),
        },
        "resolution_minutes": {
            "median": _round(core["res_median"]),
            "p90": _round(core["res_p90"]),
            "count": resolved,
            "sampled": core["sampled"],
            "business": _business(core, "bres"),
        },
        "csat": {
            "mean": _round(core["csat_mean"], 2),
            "responses": core["csat_responses"],
            "response_rate": rate(core["csat_responses"], resolved),
        },
        "escalation_flow": flow,
        "deflections": deflections(filters),
        "declined_escalations": declined_escalations(filters),
        "consults": consults(filters),
        "escalated_solved_with_existing_article": escalated_solved_with_existing_article(
            filters, escalated_resolved=core["escalated_resolved"]
        ),
    }


def backlog(filters: MetricFilters, *, now: datetime | None = None) -> dict[str, Any]:
    """Open tickets now (the period does not apply), by tier, age bucket and team.

    One query grouped by (team, tier) — a few rows, answered index-only from the partial
    backlog index — then summed into the three views.
    """
    now = now or timezone.now()
    rows = list(
        Ticket.objects.filter(scope_q(filters), status__in=OPEN_STATUSES)
        .values("team_id", "tier")
        .annotate(count=Count("pk"), **{f"age_{b}": Count("pk", filter=_age_q(b, now)) for b in AGE_BUCKETS})
        .order_by()
    )
    teams = Team.objects.in_bulk({r["team_id"] for r in rows if r["team_id"] is not None})
    by_team: dict[int | None, int] = {}
    for r in rows:
        by_team[r["team_id"]] = by_team.get(r["team_id"], 0) + r["count"]
    team_rows = [
        {
            "team": team_id,
            "name": teams[team_id].name if team_id in teams else None,
            "tier": teams[team_id].tier if team_id in teams else None,
            "count": count,
        }
        for team_id, count in by_team.items()
    ]
    team_rows.sort(key=lambda r: (-r["count"], r["name"] is None, r["name"] or ""))
    return {
        "total": sum(r["count"] for r in rows),
        "by_tier": {str(t): sum(r["count"] for r in rows if r["tier"] == t) for t in (1, 2, 3)},
        "by_age": {b: sum(r[f"age_{b}"] for r in rows) for b in AGE_BUCKETS},
        "by_team": team_rows,
    }


# Scalars compared with the previous period (key path → "higher is better").
COMPARED: dict[str, bool] = {
    "created": False,
    "resolved": True,
    "flr": True,
    "fcr": True,
    "reopen": False,
    "escalation": False,
    "escalation_1_2": False,
    "escalation_2_3": False,
    "deescalation": False,
    "ping_pong": False,
    "sla_first_response": True,
    "sla_resolution": True,
    "first_response_minutes.median": False,
    "first_response_minutes.p90": False,
    "resolution_minutes.median": False,
    "resolution_minutes.p90": False,
    "first_response_minutes.business.median": False,
    "first_response_minutes.business.p90": False,
    "resolution_minutes.business.median": False,
    "resolution_minutes.business.p90": False,
    "csat.mean": True,
    "csat.response_rate": True,
    "deflections.count": True,
    # Escalations the 1st level could have solved with an article it had: fewer is better.
    "escalated_solved_with_existing_article": False,
}


def _scalar(numbers: dict[str, Any], path: str) -> float | None:
    value: Any = numbers
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, dict):
        value = value.get("rate")
    return value


def changes(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """For each compared scalar: the delta to the previous period and whether that is good."""
    out = {}
    for path, higher_is_better in COMPARED.items():
        now_value, before = _scalar(current, path), _scalar(previous, path)
        if now_value is None or before is None:
            out[path] = {"delta": None, "better": None}
            continue
        delta = round(float(now_value) - float(before), 4)
        out[path] = {"delta": delta, "better": None if delta == 0 else (delta > 0) == higher_is_better}
    return out


@contextmanager
def metrics_session() -> Iterator[None]:
    """One read transaction for all the numbers of a request.

    On PostgreSQL, when it is the outermost transaction: REPEATABLE READ, so the list of
    stale days and the summary rows read after it come from one snapshot (a refresh
    committing in between cannot make a day count twice or not at all). Tuned for the few
    large aggregates: enough ``work_mem`` that the percentile sorts stay in memory, no JIT
    (its compile time costs more than it saves here), SSD-like ``random_page_cost``.
    ``set_config(…, true)`` is ``SET LOCAL``: it ends with the transaction. Re-entrant.
    """
    if getattr(connection, "_metrics_session", None) is not None:
        yield
        return
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if is_postgres():
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.REPORTING_WORK_MEM])
                cursor.execute("SELECT set_config('jit', 'off', true)")
                cursor.execute(
                    "SELECT set_config('random_page_cost', %s, true)",
                    [str(settings.REPORTING_RANDOM_PAGE_COST)],
                )
        connection._metrics_session = {}  # what is read once per session (rollup.stale_days)
        try:
            yield
        finally:
            connection._metrics_session = None


def metrics_summary(filters: MetricFilters, *, compare: bool = True) -> dict[str, Any]:
    """The metrics of PRODUCT.md for the period, the backlog now, and the previous period."""
    with metrics_session():
        return _metrics_summary(filters, compare=compare)


def _metrics_summary(filters: MetricFilters, *, compare: bool) -> dict[str, Any]:
    summary = period_numbers(filters)
    summary["filters"] = {
        k: getattr(filters, k) for k in ("team", "tier", "category", "channel", "organisation")
    }
    summary["backlog"] = backlog(filters)
    if compare:
        previous = period_numbers(filters.previous())
        summary["previous"] = previous
        summary["change"] = changes(summary, previous)
    return summary


# --- charts and tables ---------------------------------------------------------------------


def trend(filters: MetricFilters) -> dict[str, Any]:
    """Created, resolved and FCR per day (per week, from Monday, for long periods), in the
    configured timezone: the daily summary rows grouped by day."""
    weekly = filters.days > WEEKLY_TREND_AFTER_DAYS

    def bucket(day: date) -> str:
        return (day - timedelta(days=day.weekday()) if weekly else day).isoformat()

    buckets: list[str] = []
    day = filters.date_from
    while day <= filters.date_to:
        if not buckets or buckets[-1] != bucket(day):
            buckets.append(bucket(day))
        day += timedelta(days=1)
    series = {name: dict.fromkeys(buckets, 0) for name in ("created", "resolved", "fcr")}
    for population, names in (
        (DailyStat.Population.CREATED, ("created",)),
        (DailyStat.Population.RESOLVED, ("resolved", "fcr")),
    ):
        for row in period_sums(population, filters, group="day"):
            for name in names:
                series[name][bucket(row["grp"])] += row[name]
    return {"unit": "week" if weekly else "day", "labels": buckets} | {
        k: list(v.values()) for k, v in series.items()
    }


def top_categories(filters: MetricFilters, *, limit: int = TOP_CATEGORIES) -> list[dict[str, Any]]:
    """Categories with the most tickets created in the period, with how many were escalated."""
    rows = period_sums(DailyStat.Population.CREATED, filters, group="category_id")
    cats = Category.objects.filter(pk__in=[r["grp"] for r in rows if r["grp"]]).in_bulk()
    names = {pk: c.name for pk, c in cats.items()}
    rows.sort(key=lambda r: (-r["created"], r["grp"] not in names, names.get(r["grp"], "")))
    return [
        {
            "category": r["grp"],
            "name": names.get(r["grp"]),
            "name_de": cats[r["grp"]].name_de if r["grp"] in cats else None,
            "created": r["created"],
            "escalated": r["escalated"],
        }
        for r in rows[:limit]
        if r["created"]
    ]


def _medians(filters: MetricFilters, group: str) -> dict[Any, float | None]:
    """Median resolution time (minutes) of the tickets resolved in the period, per ``group``."""
    qs = Ticket.objects.filter(scope_q(filters)).filter(resolved_q(filters))
    if is_postgres():
        rows = (
            qs.values(group)
            .annotate(m=PercentileCont(Minutes("resolved_at", "created_at"), (0.5,)))
            .order_by()
        )
        return {r[group]: r["m"][0] for r in rows}
    by_group: dict[Any, list[float]] = {}
    for g, c, r in qs.values_list(group, "created_at", "resolved_at")[:PYTHON_PERCENTILE_MAX_ROWS]:
        by_group.setdefault(g, []).append((r - c).total_seconds() / 60.0)
    return {g: percentile(sorted(values), 0.5) for g, values in by_group.items()}


def _table_row(pk: Any, name: str | None, counts: dict[str, Any], median: float | None) -> dict[str, Any]:
    responses = counts["csat_responses"]
    return {
        "id": pk,
        "name": name,
        "resolved": counts["resolved"],
        "fcr": rate(counts["fcr"], counts["resolved"]),
        "median_resolution_minutes": _round(median),
        "csat_mean": _round(counts["csat_sum"] / responses, 2) if responses else None,
        "csat_responses": responses,
    }


def _person_name(row: dict[str, Any]) -> str | None:
    """The resolving agent as pages name people: the full name, the login only when there is none."""
    full = f"{row['resolved_by__first_name'] or ''} {row['resolved_by__last_name'] or ''}".strip()
    return full or row["resolved_by__username"]


def _sorted_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-r["resolved"], r["name"] is None, r["name"] or ""))


def agent_table(filters: MetricFilters) -> list[dict[str, Any]]:
    """Per resolving agent: resolved, FCR, median resolution time, CSAT (tickets resolved in the period)."""
    with metrics_session():
        counts = list(
            Ticket.objects.filter(scope_q(filters))
            .filter(resolved_q(filters))
            .values(
                "resolved_by_id", "resolved_by__username", "resolved_by__first_name", "resolved_by__last_name"
            )
            .annotate(
                resolved=Count("pk"),
                fcr=Count("pk", filter=FCR_Q),
                csat_sum=Coalesce(Sum("rating__score"), 0),
                csat_responses=Count("rating"),
            )
            .order_by()
        )
        medians = _medians(filters, "resolved_by_id")
    return _sorted_table(
        [
            _table_row(r["resolved_by_id"], _person_name(r), r, medians.get(r["resolved_by_id"]))
            for r in counts
        ]
    )


def team_table(filters: MetricFilters) -> list[dict[str, Any]]:
    """Per team: the counters from the daily summary rows, the median from the tickets."""
    with metrics_session():
        counts = period_sums(DailyStat.Population.RESOLVED, filters, group="team_id")
        medians = _medians(filters, "team_id")
        names = dict(Team.objects.filter(pk__in=[r["grp"] for r in counts]).values_list("pk", "name"))
    return _sorted_table(
        [_table_row(r["grp"], names.get(r["grp"]), r, medians.get(r["grp"])) for r in counts if r["resolved"]]
    )


def dashboard_data(filters: MetricFilters) -> dict[str, Any]:
    """What the dashboard page shows in its first response — all but the per-agent table,
    which it loads after itself (``agent_table``); a fixed number of queries."""
    with metrics_session():
        return {
            "summary": _metrics_summary(filters, compare=True),
            "trend": trend(filters),
            "top_categories": top_categories(filters),
            "teams": team_table(filters),
        }
