"""The daily summary rows behind the metrics: how they are built and how a period is read.

A metric over a period is a SUM over ``DailyStat`` rows — a few rows per day whatever the
number of tickets — for the days whose rows are current, plus the very same grouping
computed live from the tickets for the days a write has made stale (``DirtyDay``, kept by
the triggers of migration 0004). A number therefore never lags behind the tickets, and
its definition lives in one place: the ``Q`` objects of ``reporting.metrics``, compiled
into both the refresh and the live part by the ORM.

``rollup_refresh`` (Celery beat, every minute, and ``manage.py metrics_rollup``) folds
the stale days into the summary rows. On SQLite (development) there are no triggers:
every day is read live.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from tickets.models import Ticket, TicketEvent

from .models import DailyStat, DirtyDay, RollupState

if TYPE_CHECKING:
    from .metrics import MetricFilters

GRAIN = ("team_id", "tier", "category_id", "channel")
# Tier moves kept per created day: (column prefix, event kind, from tier, to tier).
TIER_MOVES = [
    ("esc_1_2", TicketEvent.Kind.ESCALATED, 1, 2),
    ("esc_2_3", TicketEvent.Kind.ESCALATED, 2, 3),
    ("esc_1_3", TicketEvent.Kind.ESCALATED, 1, 3),
    ("deesc_2_1", TicketEvent.Kind.DEESCALATED, 2, 1),
    ("deesc_3_2", TicketEvent.Kind.DEESCALATED, 3, 2),
    ("deesc_3_1", TicketEvent.Kind.DEESCALATED, 3, 1),
]
# UTC days folded into the summary per transaction (each touches the local days around it).
REFRESH_BATCH_DAYS = 31
_REFRESH_LOCK = 0x68_64_72_6F  # pg_advisory_xact_lock key: one refresh at a time


def counters(population: str) -> dict[str, Any]:
    """Column name → aggregate over the tickets, for one population (``created``/``resolved``)."""
    from .metrics import (
        DEESCALATED_Q,
        ESCALATED_Q,
        FCR_Q,
        FLR_Q,
        PING_PONG_Q,
        RATED_Q,
        REOPENED_Q,
        SLA_FR_DEN_Q,
        SLA_FR_MET_Q,
        SLA_RES_DEN_Q,
        SLA_RES_MET_Q,
    )

    if population == DailyStat.Population.RESOLVED:
        return {
            "resolved": Count("pk"),
            "flr": Count("pk", filter=FLR_Q),
            "fcr": Count("pk", filter=FCR_Q),
            "reopened": Count("pk", filter=REOPENED_Q),
            "sla_fr_den": Count("pk", filter=SLA_FR_DEN_Q),
            "sla_fr_met": Count("pk", filter=SLA_FR_MET_Q),
            "sla_res_den": Count("pk", filter=SLA_RES_DEN_Q),
            "sla_res_met": Count("pk", filter=SLA_RES_MET_Q),
            "csat_sum": Coalesce(Sum("rating__score"), 0),
            "csat_responses": Count("pk", filter=RATED_Q),
            "fr_count": Count("pk", filter=Q(first_response_at__isnull=False)),
            "escalated_resolved": Count("pk", filter=ESCALATED_Q),
        }
    out: dict[str, Any] = {
        "created": Count("pk"),
        "escalated": Count("pk", filter=ESCALATED_Q),
        "deescalated": Count("pk", filter=DEESCALATED_Q),
        "deescalations": Coalesce(Sum("deescalation_count"), 0),
        "ping_pong": Count("pk", filter=PING_PONG_Q),
    }
    for prefix, *_ in TIER_MOVES:
        out[f"{prefix}_events"] = Coalesce(Sum(f"_{prefix}"), 0)
        out[f"{prefix}_tickets"] = Count("pk", filter=Q(**{f"_{prefix}__gt": 0}))
    return out


def timestamp_of(population: str) -> str:
    """The ticket field whose local day a row of the population counts by."""
    return "resolved_at" if population == DailyStat.Population.RESOLVED else "created_at"


def columns(population: str) -> list[str]:
    return list(counters(population))


def _moves(kind: str, old: int, new: int) -> Case:
    """Per ticket: how many tier-move events of this kind and direction it has. Only a
    ticket whose counters say it moved is looked up (index-only, partial index of 0002)."""
    events = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=kind, old_value=str(old), new_value=str(new))
        .order_by()
        .values("ticket")
        .annotate(n=Count("pk"))
        .values("n")
    )
    moved = Q(escalation_count__gte=1) | Q(deescalation_count__gte=1)
    return Case(
        When(moved, then=Coalesce(Subquery(events, output_field=IntegerField()), Value(0))),
        default=Value(0),
        output_field=IntegerField(),
    )


def grain_queryset(population: str, where: Q, tz: ZoneInfo) -> QuerySet:
    """The tickets matching ``where``, grouped by (local day, team, tier, category, channel),
    with every counter of the population: the shape of a ``DailyStat`` row."""
    from .metrics import RESOLVED_STATUSES

    at = timestamp_of(population)
    qs = Ticket.objects.filter(where)
    if population == DailyStat.Population.RESOLVED:
        qs = qs.filter(status__in=RESOLVED_STATUSES)
    else:
        qs = qs.annotate(**{f"_{prefix}": _moves(kind, old, new) for prefix, kind, old, new in TIER_MOVES})
    return (
        qs.annotate(day=TruncDate(at, tzinfo=tz))
        .values("day", *GRAIN)
        .annotate(**counters(population))
        .order_by()
    )


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=tz
    )


def days_q(days: Iterable[date], field: str, tz: ZoneInfo) -> Q:
    """``field`` within one of the local ``days`` (consecutive days merged into one range)."""
    q = Q(pk__in=[])
    ordered = sorted(set(days))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + timedelta(days=1):
            j += 1
        start, _ = day_bounds(ordered[i], tz)
        _, end = day_bounds(ordered[j], tz)
        q |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
        i = j + 1
    return q


# --- reading ---------------------------------------------------------------------------------


def stale_days() -> set[date] | None:
    """Local days whose summary rows are not current, or None when none can be trusted
    (SQLite, never built, or built in another time zone): then everything is read live.
    Read once per ``metrics_session`` (its snapshot), not once per number."""
    if connection.vendor != "postgresql":
        return None
    cache = getattr(connection, "_metrics_session", None)
    if isinstance(cache, dict):
        if "stale" not in cache:
            cache["stale"] = _stale_days()
        return cache["stale"]
    return _stale_days()


def _stale_days() -> set[date] | None:
    state = RollupState.objects.first()
    if state is None or state.time_zone != settings.TIME_ZONE:
        return None
    out: set[date] = set()
    for utc_day in DirtyDay.objects.values_list("day", flat=True):
        out.update(utc_day + timedelta(days=d) for d in (-1, 0, 1))
    return out


def _sql(qs: QuerySet) -> tuple[str, tuple[Any, ...]]:
    return qs.query.get_compiler(using=qs.db).as_sql()


def period_sums(population: str, filters: MetricFilters, *, group: str | None = None) -> list[dict[str, Any]]:
    """The population's counters summed over the period's local days, optionally per
    ``group`` (``day``, ``team_id``, ``category_id``…): summary rows for the current days,
    the tickets themselves for the stale ones, in one statement (one snapshot)."""
    from .metrics import scope_q

    date_from, date_to = filters.date_from, filters.date_to
    tz = ZoneInfo(settings.TIME_ZONE)
    cols = columns(population)
    at = timestamp_of(population)
    # The summary rows have no organisation: under that filter every day is read from the tickets.
    stale = None if filters.organisation is not None else stale_days()
    # Both parts have the shape of a DailyStat row and take the same scope filter (its columns
    # carry the ticket's names): the rows of the current days, the tickets of the stale ones.
    part_querysets: list[QuerySet] = []
    if stale is None:
        live = Q(**{f"{at}__gte": day_bounds(date_from, tz)[0], f"{at}__lt": day_bounds(date_to, tz)[1]})
    else:
        in_period = {d for d in stale if date_from <= d <= date_to}
        live = days_q(in_period, at, tz) if in_period else None
        part_querysets.append(
            DailyStat.objects.filter(scope_q(filters), population=population, day__range=(date_from, date_to))
            .exclude(day__in=in_period)
            .values("day", *GRAIN, *cols)
        )
    if live is not None:
        part_querysets.append(grain_queryset(population, live & scope_q(filters), tz))
    key = group or "NULL"
    parts: list[str] = []
    params: list[Any] = []
    for qs in part_querysets:
        sql, part_params = _sql(qs)
        parts.append(f"SELECT {key} AS grp, {', '.join(cols)} FROM ({sql}) part")
        params += part_params
    sums = ", ".join(f"COALESCE(SUM({c}), 0) AS {c}" for c in cols)
    sql = f"SELECT grp, {sums} FROM ({' UNION ALL '.join(parts)}) u GROUP BY grp"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not rows and group is None:
        rows = [{"grp": None, **dict.fromkeys(cols, 0)}]
    for row in rows:
        for c in cols:
            row[c] = int(row[c] or 0)
        if group == "day" and isinstance(row["grp"], str):  # SQLite returns dates as text
            row["grp"] = date.fromisoformat(row["grp"])
    return rows


# --- refreshing ------------------------------------------------------------------------------


def _insert_days(local_days: set[date], tz: ZoneInfo) -> None:
    """(Re)build the summary rows of these local days from the tickets."""
    DailyStat.objects.filter(day__in=local_days).delete()
    for population in DailyStat.Population.values:
        at = timestamp_of(population)
        cols = ["day", *GRAIN, *columns(population)]
        sql, params = _sql(grain_queryset(population, days_q(local_days, at, tz), tz))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO reporting_dailystat (population, {', '.join(cols)}) "
                f"SELECT %s, {', '.join(cols)} FROM ({sql}) g",
                [population, *params],
            )


def rollup_refresh(*, batch_days: int = REFRESH_BATCH_DAYS, max_batches: int | None = None) -> int:
    """Fold the stale days into the summary rows; returns how many UTC days were folded.

    Idempotent and safe to run concurrently (an advisory lock lets one run at a time; a
    write racing with a refresh marks its day again). A change of ``TIME_ZONE`` rebuilds
    everything. PostgreSQL only; a no-op elsewhere.
    """
    if connection.vendor != "postgresql":
        return 0
    tz = ZoneInfo(settings.TIME_ZONE)
    folded = batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
            state = RollupState.objects.select_for_update().first()
            if state is None or state.time_zone != settings.TIME_ZONE:
                _restart(state)
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM reporting_dirtyday WHERE day IN "
                    "(SELECT day FROM reporting_dirtyday ORDER BY day LIMIT %s) RETURNING day",
                    [batch_days],
                )
                utc_days = [row[0] for row in cursor.fetchall()]
            if not utc_days:
                return folded
            _insert_days({u + timedelta(days=d) for u in utc_days for d in (-1, 0, 1)}, tz)
            RollupState.objects.update(refreshed_at=timezone.now())
        folded += len(utc_days)
        batches += 1
    return folded


def rollup_rebuild() -> None:
    """Mark every day stale and drop the summary rows; the next refresh cuts them anew."""
    if connection.vendor != "postgresql":
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
        _restart(RollupState.objects.select_for_update().first())


def _restart(state: RollupState | None) -> None:
    """Drop every summary row and mark every day with tickets stale, for this time zone."""
    DailyStat.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reporting_dirtyday (day) "
            "SELECT (timezone('UTC', created_at))::date FROM tickets_ticket "
            "UNION SELECT (timezone('UTC', resolved_at))::date FROM tickets_ticket WHERE resolved_at IS NOT NULL "
            "ON CONFLICT DO NOTHING"
        )
    if state is None:
        RollupState.objects.create(time_zone=settings.TIME_ZONE)
    else:
        RollupState.objects.filter(pk=state.pk).update(time_zone=settings.TIME_ZONE)
