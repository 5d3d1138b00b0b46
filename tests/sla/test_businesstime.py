"""Business-time arithmetic: pure functions, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla import businesstime as bt

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = bt.parse_working_hours({str(d): [["08:00", "17:00"]] for d in range(5)})


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def office(state: str | None = "", **kw: object) -> bt.Schedule:
    return bt.Schedule(timezone="Europe/Berlin", hours=OFFICE, holiday_state=state, **kw)


def test_minutes_inside_one_working_day():
    # given a Tuesday 09:00
    start = berlin(2026, 11, 17, 9, 0)
    # when / then
    assert bt.add_business_minutes(office(), start, 90) == berlin(2026, 11, 17, 10, 30)
    assert bt.business_minutes_between(office(), start, berlin(2026, 11, 17, 10, 30)) == 90


def test_a_due_time_at_closing_stays_at_closing():
    assert bt.add_business_minutes(office(), berlin(2026, 11, 17, 16, 0), 60) == berlin(2026, 11, 17, 17, 0)


def test_the_weekend_is_skipped():
    # given Friday 16:00, two business hours: one on Friday, one on Monday
    friday = berlin(2026, 11, 20, 16, 0)
    # when
    due = bt.add_business_minutes(office(), friday, 120)
    # then
    assert due == berlin(2026, 11, 23, 9, 0)
    assert bt.business_minutes_between(office(), friday, due) == 120


def test_before_opening_the_clock_starts_at_opening():
    assert bt.add_business_minutes(office(), berlin(2026, 11, 17, 6, 30), 30) == berlin(2026, 11, 17, 8, 30)
    assert bt.business_minutes_between(office(), berlin(2026, 11, 17, 18, 0), berlin(2026, 11, 18, 7, 0)) == 0


def test_holidays_depend_on_the_federal_state():
    # given Epiphany (6 Jan 2026, a Tuesday): a holiday in Bavaria, a working day in Berlin
    start = berlin(2026, 1, 5, 16, 0)  # Monday
    # when / then: Bavaria skips Tuesday, Berlin does not
    assert bt.add_business_minutes(office("BY"), start, 120) == berlin(2026, 1, 7, 9, 0)
    assert bt.add_business_minutes(office("BE"), start, 120) == berlin(2026, 1, 6, 9, 0)
    assert bt.holidays_between(office("BY"), start, berlin(2026, 1, 7, 9, 0)) == [
        (date(2026, 1, 6), "Epiphany")
    ]


def test_nationwide_holidays_apply_without_a_state():
    # Good Friday 3 Apr 2026 and Easter Monday 6 Apr 2026
    due = bt.add_business_minutes(office(""), berlin(2026, 4, 2, 16, 0), 120)
    assert due == berlin(2026, 4, 7, 9, 0)
    assert [d for d, _n in bt.holidays_between(office(""), berlin(2026, 4, 2, 16, 0), due)] == [
        date(2026, 4, 3),
        date(2026, 4, 6),
    ]


def test_a_custom_holiday_is_skipped():
    schedule = office("BE", custom_holidays={date(2026, 12, 24): "Christmas Eve"})
    due = bt.add_business_minutes(schedule, berlin(2026, 12, 23, 16, 0), 120)
    # 24th custom, 25th/26th public (26th is a Saturday anyway), 27th Sunday
    assert due == berlin(2026, 12, 28, 9, 0)
    assert (date(2026, 12, 24), "Christmas Eve") in bt.holidays_between(schedule, berlin(2026, 12, 23), due)


def test_a_48_hour_target_over_christmas_skips_only_the_holiday():
    # 48 business hours from Monday 21 Dec: 4 days of 9 h, then Christmas (Fri 25th) and the weekend
    due = bt.add_business_minutes(office("BE"), berlin(2026, 12, 21, 8, 0), 48 * 60)
    assert due == berlin(2026, 12, 29, 11, 0)


def test_working_hours_are_local_time_in_the_calendars_zone():
    # given a New York office 09:00–17:00 and an instant given in UTC
    ny = bt.Schedule(timezone="America/New_York", hours=bt.parse_working_hours({"0": [["09:00", "17:00"]]}))
    start = datetime(2026, 11, 16, 13, 0, tzinfo=UTC)  # Monday 08:00 in New York (EST, UTC-5)
    # when / then
    assert bt.add_business_minutes(ny, start, 60) == datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


def test_office_hours_follow_daylight_saving_time():
    # given Friday 27 Mar 2026 16:00 CET; DST starts on Sunday 29 Mar
    friday = berlin(2026, 3, 27, 16, 0)
    # when
    due = bt.add_business_minutes(office(), friday, 120)
    # then Monday 09:00 CEST, which is 07:00 UTC (not 08:00)
    assert due == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_a_round_the_clock_day_on_the_dst_change_has_23_hours():
    sunday_only = bt.Schedule(
        timezone="Europe/Berlin", hours=bt.parse_working_hours({"6": [["00:00", "24:00"]]})
    )
    assert bt.business_minutes_between(sunday_only, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 23 * 60
    assert bt.business_minutes_between(sunday_only, berlin(2026, 10, 25), berlin(2026, 10, 26)) == 25 * 60


def test_24_7_counts_every_minute_and_no_holiday():
    always = bt.Schedule(always_open=True, holiday_state="BY")
    start = berlin(2026, 12, 24, 23, 30)
    assert bt.add_business_minutes(always, start, 60) == start + timedelta(minutes=60)
    assert bt.business_minutes_between(always, start, start + timedelta(days=2)) == 2 * 24 * 60
    assert bt.holidays_between(always, start, start + timedelta(days=2)) == []


def test_split_shifts_count_only_the_working_periods():
    split = bt.Schedule(hours=bt.parse_working_hours({"1": [["13:00", "17:00"], ["08:00", "12:00"]]}))
    assert bt.add_business_minutes(split, berlin(2026, 11, 17, 11, 0), 120) == berlin(2026, 11, 17, 14, 0)
    assert bt.business_minutes_between(split, berlin(2026, 11, 17, 8), berlin(2026, 11, 17, 17)) == 480


def test_adding_and_measuring_agree():
    start = berlin(2026, 4, 30, 15, 17)
    for minutes in (1, 59, 540, 2000, 10_000):
        due = bt.add_business_minutes(office("NW"), start, minutes)
        assert bt.business_minutes_between(office("NW"), start, due) == minutes


def test_a_calendar_without_working_time_has_no_due_time():
    with pytest.raises(bt.NoWorkingTime):
        bt.add_business_minutes(bt.Schedule(hours={}), berlin(2026, 1, 1), 1)


@pytest.mark.parametrize(
    "raw",
    [
        {"7": [["08:00", "17:00"]]},
        {"0": [["17:00", "08:00"]]},
        {"0": [["08:00", "12:00"], ["11:00", "13:00"]]},
        {"0": [["8", "25:00"]]},
    ],
)
def test_invalid_working_hours_are_refused(raw):
    with pytest.raises(ValueError, match=r"."):
        bt.parse_working_hours(raw)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        bt.add_business_minutes(office(), datetime(2026, 1, 5, 9), 10)  # noqa: DTZ001


def test_the_explanation_names_pauses_and_skipped_holidays():
    # given a Bavarian ticket opened before Epiphany with a one-hour pause
    start = berlin(2026, 1, 5, 16, 0)
    pause = bt.Pause(
        start=berlin(2026, 1, 5, 16, 10), end=berlin(2026, 1, 5, 17, 10), business_seconds=50 * 60
    )
    # when
    exp = bt.explain_due(
        office("BY"),
        target="Resolution",
        policy="Standard",
        calendar="Munich",
        start=start,
        target_minutes=120,
        pauses=[pause],
    )
    # then the due time moved by the paused 50 minutes and over the holiday
    assert exp.due == berlin(2026, 1, 7, 9, 50)
    assert exp.paused_minutes == 50
    assert exp.holidays_skipped == [(date(2026, 1, 6), "Epiphany")]
    assert (exp.policy, exp.calendar, exp.pauses) == ("Standard", "Munich", [pause])
