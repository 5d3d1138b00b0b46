"""Time entries and the timer, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from escalation.services import ticket_escalate
from timetracking import services
from timetracking.models import MAX_MINUTES, RunningTimer, TimeEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45", 45),
        ("1:30", 90),
        ("1h 30m", 90),
        ("1.5h", 90),
        ("1,5 Std", 90),
        ("20 min", 20),
        ("2h", 120),
        ("0:05", 5),
    ],
)
def test_durations_are_read_as_people_type_them(text, minutes):
    assert services.parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "abc", "1:75", "-5", "1h-30m", "5 days"])
def test_durations_that_mean_nothing_are_refused(text):
    with pytest.raises(ValueError):  # noqa: PT011
        services.parse_duration(text)


def test_an_entry_carries_the_agent_and_the_tickets_tier_and_team(vpn_ticket, tina, service_desk):
    entry = services.time_entry_create(
        ticket=vpn_ticket, by=tina, minutes=25, note="Called back", billable=True
    )
    assert (entry.agent, entry.tier, entry.team, entry.minutes, entry.billable) == (
        tina,
        1,
        service_desk,
        25,
        True,
    )
    assert entry.date == timezone.localdate()


def test_the_tier_is_the_one_at_the_time_not_later(vpn_ticket, tina, nick, network_team):
    before = services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=10)
    ticket_escalate(
        ticket=vpn_ticket,
        by=tina,
        reason="needs_expertise",
        summary="The VPN tunnel drops every few minutes for this user",
        steps_taken="Restarted the client, reinstalled the profile, checked the line",
    )
    after = services.time_entry_create(ticket=vpn_ticket, by=nick, minutes=30)
    before.refresh_from_db()
    assert (before.tier, after.tier, after.team) == (1, 2, network_team)


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (0, "at least one minute"),
        (-5, "at least one minute"),
        (MAX_MINUTES + 1, "at most 24 hours"),
        (10**12, "at most 24 hours"),
    ],
)
def test_impossible_durations_are_field_errors_and_nothing_is_saved(vpn_ticket, tina, minutes, message):
    with pytest.raises(ValidationError) as err:
        services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=minutes)
    assert message in str(err.value.message_dict["minutes"])
    assert not TimeEntry.objects.exists()


def test_future_dates_and_dates_before_the_ticket_are_refused(vpn_ticket, tina):
    with pytest.raises(ValidationError) as err:
        services.time_entry_create(
            ticket=vpn_ticket, by=tina, minutes=5, date=timezone.localdate() + timedelta(days=1)
        )
    assert "future" in str(err.value.message_dict["date"])
    with pytest.raises(ValidationError) as err:
        services.time_entry_create(
            ticket=vpn_ticket, by=tina, minutes=5, date=timezone.localdate() - timedelta(days=3)
        )
    assert "before the ticket" in str(err.value.message_dict["date"])
    assert not TimeEntry.objects.exists()


def test_only_the_author_or_a_supervisor_changes_an_entry(vpn_ticket, tina, nick, sam):
    entry = services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=5)
    with pytest.raises(PermissionDenied):
        services.time_entry_update(entry=entry, by=nick, minutes=50)
    with pytest.raises(PermissionDenied):
        services.time_entry_delete(entry=entry, by=nick)
    services.time_entry_update(entry=entry, by=tina, minutes=7, note=" typo ")
    services.time_entry_update(entry=entry, by=sam, billable=True)
    entry.refresh_from_db()
    assert (entry.minutes, entry.note, entry.billable) == (7, "typo", True)
    services.time_entry_delete(entry=entry, by=sam)
    assert not TimeEntry.objects.exists()


def test_the_timer_counts_started_minutes_and_dates_the_entry_by_its_start(vpn_ticket, tina):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.timer_start(ticket=vpn_ticket, by=tina)
    with time_machine.travel(start + timedelta(minutes=12, seconds=5), tick=False):
        entry = services.timer_stop(by=tina, note="Debugged", billable=True)
    assert (entry.minutes, entry.source, entry.note, entry.billable) == (13, "timer", "Debugged", True)
    assert entry.date == timezone.localtime(start).date()
    assert not RunningTimer.objects.exists()
    assert services.timer_stop(by=tina) is None  # a second tab stopping again changes nothing
    assert TimeEntry.objects.count() == 1


def test_a_forgotten_timer_is_cut_at_a_day(vpn_ticket, tina):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.timer_start(ticket=vpn_ticket, by=tina)
    with time_machine.travel(start + timedelta(days=3), tick=False):
        entry = services.timer_stop(by=tina)
    assert entry.minutes == MAX_MINUTES


def test_starting_on_another_ticket_stops_the_running_timer_into_an_entry(vpn_ticket, tina, alice):
    from tickets import services as ts

    other = ts.ticket_create(requester=alice, by=alice, subject="Printer", description="Jammed")
    timer, stopped = services.timer_start(ticket=vpn_ticket, by=tina)
    again, none = services.timer_start(ticket=vpn_ticket, by=tina)
    assert (again.pk, none) == (timer.pk, None)  # same ticket: unchanged
    moved, stopped = services.timer_start(ticket=other, by=tina)
    assert moved.ticket == other
    assert stopped.ticket == vpn_ticket
    assert stopped.minutes == 1
    assert RunningTimer.objects.count() == 1


def test_discarding_a_timer_logs_nothing(vpn_ticket, tina):
    services.timer_start(ticket=vpn_ticket, by=tina)
    assert services.timer_discard(by=tina) is True
    assert not TimeEntry.objects.exists()
    assert not RunningTimer.objects.exists()
