"""Every metric of the hand-computed month (tests/reporting/conftest.py ``march``), exactly."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from reporting.metrics import MetricFilters, agent_table, metric_tickets, metrics_summary, team_table, trend
from tests.reporting.conftest import MARCH
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def r(numerator: int, denominator: int) -> dict:
    return {"rate": round(numerator / denominator, 4) if denominator else None, "numerator": numerator,
            "denominator": denominator}  # fmt: skip


# What the table in ``march`` gives, worked out by hand.
EXPECTED = {
    "created": 11,  # 1 2 3 4 5 6 7 9 10 11 12a
    "resolved": 9,  # 1 2 3 4 5 6 7 8 11
    "flr": r(6, 9),  # 1 2 3 7 8 11
    "fcr": r(3, 9),  # 1 3 11
    "reopen": r(2, 9),  # 7 8
    "escalation": r(3, 11),  # 4 5 6
    "escalation_1_2": r(3, 11),  # 4 5 6
    "escalation_2_3": r(1, 11),  # 5
    "deescalation": r(1, 11),  # 6
    "deescalations": 2,
    "ping_pong": r(1, 11),  # 6
    "sla_first_response": r(6, 7),  # due: 1 2 3 4 6 7 11; breached: 6
    "sla_resolution": r(5, 7),  # breached: 2 4
}


def test_every_rate_and_count_of_the_month(march) -> None:
    summary = metrics_summary(MARCH)
    for key, value in EXPECTED.items():
        assert summary[key] == value, key


def test_times_are_median_and_p90_in_minutes(march) -> None:
    summary = metrics_summary(MARCH)
    # first response of 8 tickets: 10 15 20 30 30 45 60 120 → median 30, p90 60 + 0.3 × 60
    # no SLA clock on these tickets (written directly): no business time, and the count says so
    no_business = {"median": None, "p90": None, "count": 0}
    assert summary["first_response_minutes"] == {
        "median": 30.0, "p90": 78.0, "count": 8, "sampled": False, "business": no_business,
    }  # fmt: skip
    # resolution: 10 20 60 600 1440 2880 3000 5760 18720 → median 1440, p90 5760 + 0.2 × 12960
    assert summary["resolution_minutes"] == {
        "median": 1440.0, "p90": 8352.0, "count": 9, "sampled": False, "business": no_business,
    }  # fmt: skip


def test_csat_counts_ratings_of_tickets_resolved_in_the_period(march) -> None:
    assert metrics_summary(MARCH)["csat"] == {"mean": 3.5, "responses": 4, "response_rate": r(4, 9)}


def test_backlog_is_now_by_tier_age_and_team(march, service_desk, network_team, engineering) -> None:
    backlog = metrics_summary(MARCH)["backlog"]
    assert backlog["total"] == 6  # 9 10 12a 12b 13 14
    assert backlog["by_tier"] == {"1": 4, "2": 1, "3": 1}
    assert backlog["by_age"] == {"lt_1d": 1, "1_3d": 1, "3_7d": 0, "gt_7d": 4}
    assert [(row["name"], row["count"]) for row in backlog["by_team"]] == [
        ("Service Desk", 4),
        ("Engineering", 1),
        ("Network", 1),
    ]


def test_escalation_flow_counts_moves_and_tickets(march) -> None:
    flow = metrics_summary(MARCH)["escalation_flow"]
    assert [(f["kind"], f["from_tier"], f["to_tier"], f["events"], f["tickets"]) for f in flow] == [
        ("deescalated", "2", "1", 2, 1),
        ("escalated", "1", "2", 4, 3),
        ("escalated", "2", "3", 1, 1),
    ]


def test_the_knowledge_base_numbers_are_zero_without_articles_not_none(march) -> None:
    summary = metrics_summary(MARCH)
    assert summary["deflections"] == {"count": 0, "records": 0}
    # escalated and resolved: 4 5 6, none linked to an article
    assert summary["escalated_solved_with_existing_article"] == r(0, 3)


def test_declines_and_consults_come_from_the_escalation_app(march) -> None:
    # the month has neither: an empty table, not "not available"
    summary = metrics_summary(MARCH)
    assert summary["declined_escalations"] == []
    assert summary["consults"] == []


def test_previous_period_has_equal_length_and_its_own_numbers(march) -> None:
    summary = metrics_summary(MARCH)
    previous = summary["previous"]
    assert previous["period"] == {
        "from": "2026-01-29",
        "to": "2026-02-28",
        "days": 31,
        "timezone": "Europe/Berlin",
    }
    # 8 (created 02-20, resolved last in March) and 12b (02-28 23:30 Berlin)
    assert (previous["created"], previous["resolved"]) == (2, 0)
    assert previous["fcr"] == r(0, 0)
    assert summary["change"]["created"] == {"delta": 9, "better": False}
    assert summary["change"]["fcr"] == {"delta": None, "better": None}


def test_filters_by_team_tier_category_with_children_and_channel(march, network_team) -> None:
    by_team = metrics_summary(
        MetricFilters(date_from=MARCH.date_from, date_to=MARCH.date_to, team=network_team.pk)
    )
    assert (by_team["resolved"], by_team["created"], by_team["flr"]) == (1, 1, r(0, 1))
    by_tier = metrics_summary(MetricFilters(date_from=MARCH.date_from, date_to=MARCH.date_to, tier=3))
    assert (by_tier["resolved"], by_tier["created"], by_tier["backlog"]["total"]) == (1, 1, 1)
    printing = metrics_summary(
        MetricFilters(date_from=MARCH.date_from, date_to=MARCH.date_to, category=march.printing.pk)
    )
    assert (printing["resolved"], printing["flr"], printing["fcr"]) == (
        3,
        r(3, 3),
        r(1, 3),
    )  # 1, 2 (toner), 7
    email = metrics_summary(MetricFilters(date_from=MARCH.date_from, date_to=MARCH.date_to, channel="email"))
    assert (email["resolved"], email["created"], email["ping_pong"]) == (2, 2, r(1, 2))


def test_an_empty_period_has_zero_counts_and_no_rates(march) -> None:
    summary = metrics_summary(MetricFilters(date_from=date(2025, 6, 1), date_to=date(2025, 6, 30)))
    assert (summary["created"], summary["resolved"]) == (0, 0)
    assert summary["fcr"] == {"rate": None, "numerator": 0, "denominator": 0}
    assert summary["first_response_minutes"]["median"] is None
    assert summary["csat"]["mean"] is None


def test_period_boundaries_are_whole_days_in_the_configured_timezone(march) -> None:
    # 03-31 23:30 Berlin is 21:30 UTC; 04-01 00:10 Berlin is 03-31 22:10 UTC.
    last_day = metrics_summary(MetricFilters(date_from=date(2026, 3, 31), date_to=date(2026, 3, 31)))
    assert (last_day["created"], last_day["resolved"]) == (1, 1)
    first_day = metrics_summary(MetricFilters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1)))
    assert first_day["created"] == 1  # 12a at 00:30 Berlin (02-28 23:30 UTC); not 12b
    april = metrics_summary(MetricFilters(date_from=date(2026, 4, 1), date_to=date(2026, 4, 1)))
    assert (april["created"], april["resolved"], april["csat"]["responses"]) == (1, 1, 1)


def test_a_ticket_resolved_twice_counts_once_by_its_last_resolution(march) -> None:
    resolved = set(metric_tickets(metric="resolved", filters=MARCH).values_list("pk", flat=True))
    assert march.resolved_twice.pk in resolved
    assert march.reopened_open.pk not in resolved  # resolved once in March, open again now
    february = MetricFilters(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
    assert metrics_summary(february)["resolved"] == 0


@pytest.mark.parametrize("metric", ["flr", "fcr", "reopen", "escalation", "escalation_1_2", "escalation_2_3",
                                    "deescalation", "ping_pong", "sla_first_response", "sla_resolution"])  # fmt: skip
def test_the_ticket_list_behind_each_rate_matches_its_numbers(march, metric: str) -> None:
    value = metrics_summary(MARCH)[metric]
    assert metric_tickets(metric=metric, filters=MARCH).count() == value["numerator"]
    assert metric_tickets(metric=metric, filters=MARCH, part="denominator").count() == value["denominator"]


def test_the_fcr_tickets_are_the_ones_solved_on_first_contact(march) -> None:
    fcr = set(metric_tickets(metric="fcr", filters=MARCH))
    assert fcr == {march.first_contact, march.phone, march.late_evening}


def test_agent_and_team_tables(march, tina, nick, erin) -> None:
    agents = {row["name"].lower(): row for row in agent_table(MARCH)}
    assert {row["name"] for row in agents.values()} == {"Tina", "Nick", "Erin"}  # full names, not logins
    assert agents["tina"]["resolved"] == 7
    assert agents["tina"]["fcr"] == r(3, 7)
    assert agents["tina"]["median_resolution_minutes"] == 600.0  # 10 20 60 600 1440 3000 18720
    assert (agents["tina"]["csat_mean"], agents["tina"]["csat_responses"]) == (4.0, 3)
    assert (agents["nick"]["resolved"], agents["nick"]["median_resolution_minutes"]) == (1, 2880.0)
    assert (agents["erin"]["csat_mean"], agents["erin"]["csat_responses"]) == (None, 0)
    teams = {row["name"]: row["resolved"] for row in team_table(MARCH)}
    assert teams == {"Service Desk": 7, "Network": 1, "Engineering": 1}


def test_trend_is_per_day_in_the_configured_timezone(march) -> None:
    data = trend(MARCH)
    assert data["unit"] == "day"
    assert len(data["labels"]) == 31
    day = dict(
        zip(data["labels"], zip(data["created"], data["resolved"], data["fcr"], strict=True), strict=True)
    )
    assert day["2026-03-10"] == (2, 2, 1)  # 1 and 2 created and resolved; 1 FCR
    assert day["2026-03-31"] == (1, 1, 1)  # 11 at 23:30 Berlin
    assert day["2026-03-01"] == (1, 0, 0)  # 12a
    assert day["2026-03-05"] == (0, 1, 0)  # 8, last resolution
    assert sum(data["created"]) == 11
    assert sum(data["resolved"]) == 9


def test_long_periods_trend_per_week_starting_monday(march) -> None:
    data = trend(MetricFilters(date_from=date(2026, 1, 1), date_to=date(2026, 4, 30)))
    assert data["unit"] == "week"
    assert data["labels"][0] == "2025-12-29"  # the Monday of the week of 01-01
    week = dict(zip(data["labels"], data["created"], strict=True))
    assert week["2026-03-09"] == 7  # 1 2 3 4 5 6 7
    assert sum(data["created"]) == 14  # all but 13 and 14 (created in the last days)
    assert sum(data["resolved"]) == 10  # March's 9 and 12c


def test_paused_time_does_not_count_against_the_sla(alice, service_desk, tina) -> None:
    # given a ticket with a 2-hour first-response target, paused (waiting on the customer) for
    # 2 hours: the sla app moved its due times by the pause, 12:00 → 14:00 and 18:00 → 20:00
    from tests.factories import TicketFactory
    from tests.reporting.conftest import berlin

    created = berlin(2026, 3, 10, 10)
    TicketFactory(
        requester=alice, team=service_desk, status="resolved", resolved_tier=1, resolved_by=tina,
        created_at=created, first_response_at=berlin(2026, 3, 10, 13), resolved_at=berlin(2026, 3, 10, 19),
        first_response_due=berlin(2026, 3, 10, 14), resolution_due=berlin(2026, 3, 10, 20), public_reply_count=1,
    )  # fmt: skip
    # when / then: answered at 13:00 and resolved at 19:00 — both within the moved due times
    summary = metrics_summary(MARCH)
    assert summary["sla_first_response"] == r(1, 1)
    assert summary["sla_resolution"] == r(1, 1)


def test_a_declined_escalation_and_a_consult_are_counted_per_team(
    alice, tina, nick, network_category, network_team
):
    # given: one escalation declined by the network team and one consult asked of it, today
    from escalation import services as escalation

    ticket = ticket_create(
        requester=alice, by=alice, subject="VPN", description="drops", category=network_category
    )
    handoff = {
        "summary": "VPN drops every few minutes",
        "steps_taken": "Restarted the client and the router twice",
    }
    esc = escalation.ticket_escalate(ticket=ticket, by=tina, reason="needs_expertise", **handoff)
    escalation.escalation_decline(escalation=esc, by=nick, reason="Please add the client log first")
    escalation.consult_create(
        ticket=ticket, by=tina, team=network_team, question="Is the VPN gateway known to flap?"
    )
    today = timezone.localdate()
    # when
    summary = metrics_summary(MetricFilters(date_from=today, date_to=today))
    # then
    expected = [{"team": network_team.pk, "name": "Network", "count": 1}]
    assert summary["declined_escalations"] == expected
    assert summary["consults"] == expected
