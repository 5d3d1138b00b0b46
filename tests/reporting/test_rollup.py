"""The daily summary rows: the same numbers as the tickets, whatever was folded when.

PostgreSQL only: the triggers that mark changed days exist there (on SQLite every day is
read live, which the other reporting tests cover).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.metrics import metrics_summary, top_categories, trend
from reporting.models import DailyStat, DirtyDay, RollupState
from reporting.rollup import rollup_refresh, stale_days
from tests.conftest import wait_for
from tests.reporting.conftest import MARCH, berlin
from tests.reporting.test_metrics import EXPECTED
from tickets import services as ts
from tickets.models import Rating, Ticket, TicketEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def numbers(summary: dict) -> dict:
    """Everything of a summary that depends on the tickets (not the clock of the backlog)."""
    keys = [*EXPECTED, "first_response_minutes", "resolution_minutes", "csat", "escalation_flow"]
    return {key: summary[key] for key in keys} | {"previous": {k: summary["previous"][k] for k in EXPECTED}}


def test_folded_summary_rows_give_exactly_the_live_numbers(march, network_team) -> None:
    # given the hand-computed month read live (no summary rows yet: every day is stale), also
    # under each filter (the category one with its sub-category)
    scoped = [
        replace(MARCH, team=network_team.pk),
        replace(MARCH, tier=1),
        replace(MARCH, category=march.printing.pk),
        replace(MARCH, channel="email"),
    ]
    live = metrics_summary(MARCH)
    live_scoped = [numbers(metrics_summary(f)) for f in scoped]
    live_trend, live_categories = trend(MARCH), top_categories(MARCH)
    assert stale_days() is None
    assert live_scoped[2]["created"] == 3  # 1 (Printing), 2 (Toner), 7 (Printing)
    # when the changed days are folded into summary rows
    assert rollup_refresh() > 0
    # then nothing is stale, the month is read from the rows, and every number is the same
    assert DirtyDay.objects.count() == 0
    assert stale_days() == set()
    assert DailyStat.objects.filter(day__gte=MARCH.date_from, day__lte=MARCH.date_to).exists()
    with CaptureQueriesContext(connection) as queries:
        folded = metrics_summary(MARCH)
    assert not any(
        '"tickets_ticketevent"."old_value"' in q["sql"] for q in queries.captured_queries
    )  # flow: rows
    assert numbers(folded) == numbers(live)
    assert {k: folded[k] for k in EXPECTED} == EXPECTED
    assert trend(MARCH) == live_trend
    assert top_categories(MARCH) == live_categories
    assert [numbers(metrics_summary(f)) for f in scoped] == live_scoped


def test_a_change_after_the_fold_counts_at_once_and_after_the_next_fold(march, tina) -> None:
    rollup_refresh()
    # given ticket 10 (new, created 03-20) resolved now by a service; its creation day is stale again
    ticket = march.open_new
    ts.ticket_resolve(ticket=ticket, by=tina, resolution="Fixed.")
    assert date(2026, 3, 20) in stale_days()
    # then March's created tickets count it as before, read live for that day
    ticket.refresh_from_db()
    assert metrics_summary(MARCH)["created"] == 11
    # and the escalation of ticket 3 (a queryset update plus its event, as a bulk job would write it)
    Ticket.objects.filter(pk=march.phone.pk).update(escalation_count=1, tier=2)
    TicketEvent.objects.create(
        ticket=march.phone, kind="escalated", field="tier", old_value="1", new_value="2"
    )
    after = metrics_summary(MARCH)
    assert after["escalation"] == {"rate": round(4 / 11, 4), "numerator": 4, "denominator": 11}
    assert after["flr"]["numerator"] == EXPECTED["flr"]["numerator"] - 1
    flow = {(f["kind"], f["from_tier"], f["to_tier"]): f["tickets"] for f in after["escalation_flow"]}
    assert flow[("escalated", "1", "2")] == 4
    # when folded again, the same numbers come from the rows
    rollup_refresh()
    assert stale_days() == set()
    assert numbers(metrics_summary(MARCH)) == numbers(after)


def test_a_rating_marks_the_day_its_ticket_was_resolved(march) -> None:
    rollup_refresh()
    Rating.objects.create(ticket=march.followup, score=1)  # resolved 03-10
    assert DirtyDay.objects.filter(day=date(2026, 3, 10)).exists()
    assert metrics_summary(MARCH)["csat"]["responses"] == 5


def test_an_update_of_a_column_no_metric_reads_marks_nothing(march) -> None:
    rollup_refresh()
    Ticket.objects.filter(pk=march.first_contact.pk).update(subject="Renamed", sla_state="breached")
    assert DirtyDay.objects.count() == 0


def test_a_new_time_zone_cuts_the_rows_anew(march, settings) -> None:
    rollup_refresh()
    # ticket 11 was created and resolved 03-31 23:30 Berlin = 03-31 21:30 UTC; 12a 03-01 00:30 Berlin
    settings.TIME_ZONE = "America/New_York"
    assert stale_days() is None  # rows cut for Berlin are not read for New York
    live = metrics_summary(MARCH)
    # New York's March: 12a (03-01 00:30 Berlin) falls in February, 12c (04-01 00:10 Berlin) in March
    assert (live["created"], live["resolved"]) == (11, 10)
    rollup_refresh()
    assert RollupState.objects.get().time_zone == "America/New_York"
    assert stale_days() == set()
    assert numbers(metrics_summary(MARCH)) == numbers(live)


def test_periods_of_many_tickets_take_percentiles_from_the_sample(march, settings, alice) -> None:
    # given percentiles are exact only up to 2 tickets, and three API tickets of which two are
    # in the sample (ids divisible by 16; ids far above the sequence, which other tests advance)
    settings.REPORTING_EXACT_PERCENTILES_MAX = 2
    start = berlin(2026, 3, 20, 9)
    for pk, minutes in ((1_000_000_000, 100), (1_000_000_016, 300), (1_000_000_001, 5000)):
        Ticket.objects.create(
            pk=pk, requester=alice, subject="s", description="d", status="resolved", tier=1, channel="api",
            created_at=start, first_response_at=start + timedelta(minutes=10),
            resolved_at=start + timedelta(minutes=minutes),
        )  # fmt: skip
    summary = metrics_summary(replace(MARCH, channel="api"))
    # then the counts are exact, the percentiles come from the two sampled tickets only
    assert summary["resolved"] == 3
    assert summary["resolution_minutes"] == {
        "median": 200.0, "p90": 280.0, "count": 3, "sampled": True,
        "business": {"median": None, "p90": None, "count": 0},
    }  # fmt: skip
    assert summary["first_response_minutes"]["median"] == 10.0
    # and with the exact limit above the population, all three count
    settings.REPORTING_EXACT_PERCENTILES_MAX = 3
    assert metrics_summary(replace(MARCH, channel="api"))["resolution_minutes"]["median"] == 300.0


@pytest.mark.redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_beat_folds_changed_days_with_a_real_worker(march, worker) -> None:
    live = metrics_summary(MARCH)
    _proc, log_path = worker
    assert wait_for(lambda: not DirtyDay.objects.exists() and RollupState.objects.exists(), 40), (
        log_path.read_text()[-3000:]
    )
    assert "reporting.tasks.rollup_refresh" in log_path.read_text()
    assert numbers(metrics_summary(MARCH)) == numbers(live)
