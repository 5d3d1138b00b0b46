"""Recurring tickets: schedules in the site's time zone and calendar, runs that happen once."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError

from recurring import services
from recurring.models import Occurrence
from tickets.models import Ticket, TicketEvent

from .conftest import BERLIN, at

pytestmark = pytest.mark.django_db


def sweep(moment):  # noqa: ANN001, ANN201
    with time_machine.travel(moment, tick=False):
        return services.recurring_sweep(now=moment)


def test_next_runs_are_in_the_sites_time_zone_across_a_dst_change(make_schedule):
    s = make_schedule("0 8 * * *", created=at(2026, 10, 23, 12, 0))
    runs = services.next_runs(schedule=s, count=4, now=at(2026, 10, 23, 12, 0))
    assert [r.astimezone(BERLIN).strftime("%d %H:%M %Z") for r in runs] == [
        "24 08:00 CEST",
        "25 08:00 CET",  # the clocks went back that night: still 08:00 on the wall
        "26 08:00 CET",
        "27 08:00 CET",
    ]
    assert s.next_run_at == at(2026, 10, 24, 8, 0)


def test_with_a_calendar_only_business_days_count(make_schedule, office_calendar):
    s = make_schedule("0 8 * * *", calendar=office_calendar, created=at(2026, 12, 23, 12, 0))
    runs = services.next_runs(schedule=s, count=3, now=at(2026, 12, 23, 12, 0))
    # 24 Dec is a Thursday (a working day in the demo calendar), 25/26 Dec holidays, 27 Sunday
    assert [r.astimezone(BERLIN).date().isoformat() for r in runs] == [
        "2026-12-24",
        "2026-12-28",
        "2026-12-29",
    ]


def test_a_due_occurrence_opens_one_ticket_through_the_ticket_service(
    make_schedule, service_desk, network_category
):
    s = make_schedule("0 8 * * 1-5", tags=["Backup", "routine"], priority="P2", category=network_category)
    assert sweep(at(2026, 12, 1, 7, 59)) == 0
    assert sweep(at(2026, 12, 1, 8, 0, 20)) == 1
    ticket = Ticket.objects.get()
    assert ticket.subject == "Backup check 1 Dec 2026"  # {date}, in the requester's language
    assert (ticket.channel, ticket.tier, ticket.team, ticket.priority) == ("api", 1, service_desk, "P2")
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["backup", "routine"]
    created = ticket.events.get(kind=TicketEvent.Kind.CREATED)
    assert created.actor is None
    assert created.data["recurring"] == s.pk
    occurrence = Occurrence.objects.get()
    assert (occurrence.due_at, occurrence.ticket, occurrence.missed) == (at(2026, 12, 1, 8, 0), ticket, 0)
    s.refresh_from_db()
    assert s.next_run_at == at(2026, 12, 2, 8, 0)


def test_running_again_or_twice_opens_nothing_more(make_schedule):
    s = make_schedule("0 8 * * *")
    assert sweep(at(2026, 12, 1, 8, 0, 30)) == 1
    assert sweep(at(2026, 12, 1, 8, 0, 40)) == 0  # the next sweep
    # a re-run that forgot it had run (e.g. restored schedule row): the occurrence row refuses it
    type(s).objects.filter(pk=s.pk).update(
        handled_until=at(2026, 12, 1, 7, 0), next_run_at=at(2026, 12, 1, 8, 0)
    )
    assert services.recurring_run_one(schedule_id=s.pk, now=at(2026, 12, 1, 8, 1)) is None
    assert Ticket.objects.count() == 1
    assert Occurrence.objects.count() == 1


def test_after_a_downtime_the_missed_runs_are_caught_up_as_one_ticket(make_schedule):
    make_schedule("0 8 * * *")
    assert sweep(at(2026, 12, 4, 9, 30)) == 1  # down from 1 Dec 07:00 to 4 Dec 09:30: 4 occurrences
    occurrence = Occurrence.objects.get()
    assert (occurrence.due_at, occurrence.missed) == (at(2026, 12, 4, 8, 0), 3)
    assert Ticket.objects.get().subject == "Backup check 4 Dec 2026"


def test_an_occurrence_on_a_day_off_is_skipped_and_logged(make_schedule, office_calendar):
    make_schedule("0 8 * * *", calendar=office_calendar, created=at(2026, 12, 4, 12, 0))
    assert sweep(at(2026, 12, 5, 8, 1)) == 0  # a Saturday
    assert Occurrence.objects.get().outcome == "skipped"
    assert sweep(at(2026, 12, 7, 8, 1)) == 1  # Monday; Sunday's skipped run went by in the downtime
    assert Ticket.objects.count() == 1


def test_a_paused_schedule_does_not_run_nor_catch_up_when_resumed(make_schedule, sam):
    s = make_schedule("0 8 * * *")
    with time_machine.travel(at(2026, 12, 1, 7, 30), tick=False):
        s = services.schedule_save(by=sam, instance=s, active=False)
    assert s.next_run_at is None
    assert sweep(at(2026, 12, 3, 9, 0)) == 0
    with time_machine.travel(at(2026, 12, 3, 9, 0), tick=False):
        s = services.schedule_save(by=sam, instance=s, active=True)
    assert sweep(at(2026, 12, 3, 9, 5)) == 0  # nothing caught up
    assert sweep(at(2026, 12, 4, 8, 0)) == 1


@pytest.mark.parametrize("cron", ["", "every day", "61 8 * * *", "0 8 * *", "0 0 8 * * *", "* * 31 2 *x"])
def test_an_impossible_schedule_is_a_field_error(make_schedule, cron):
    with pytest.raises(ValidationError) as err:
        make_schedule(cron)
    assert "five fields" in str(err.value.message_dict["cron"])


def test_the_template_team_must_be_at_tier_1(make_schedule, network_team):
    with pytest.raises(ValidationError) as err:
        make_schedule(team=network_team)
    assert "tier-1 team" in str(err.value.message_dict["team"])


def test_a_schedule_that_fails_does_not_hold_up_the_others_and_is_retried(make_schedule, network_team):
    broken = make_schedule("0 8 * * *", name="Broken")
    make_schedule("0 8 * * *", name="Fine")
    # the team moved to tier 2 after the schedule was saved: opening its ticket fails
    type(broken).objects.filter(pk=broken.pk).update(team=network_team)
    assert sweep(at(2026, 12, 1, 8, 0, 30)) == 1
    broken.refresh_from_db()
    assert broken.next_run_at == at(2026, 12, 1, 8, 0)  # still due: the next sweep tries again
    assert not Occurrence.objects.filter(schedule=broken).exists()
