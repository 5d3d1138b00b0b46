"""Business-time arithmetic: pure functions over a ``Schedule``, no database, no clock.

A business second is a second inside the calendar's working hours, on a day that is
not a public holiday of its German federal state (``holidays`` package) nor one of its
custom holidays. Working hours are local wall-clock times in the calendar's time zone;
every instant in and out is timezone-aware and all arithmetic runs on real (UTC)
seconds, so a working day that spans a DST change has its true length.
A 24/7 schedule counts every second and knows no holidays.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

# Stop searching for working time after this many days: a calendar without any working hours
# (or one that is a holiday every day) has no due time, and must not loop forever.
MAX_SEARCH_DAYS = 3 * 366
DAY_MINUTES = 24 * 60


class NoWorkingTime(ValueError):
    """The schedule has no working time within ``MAX_SEARCH_DAYS``."""


def parse_hhmm(value: str) -> int:
    """ "08:30" → 510 minutes after midnight; "24:00" is the end of the day."""
    hours, _sep, minutes = str(value).strip().partition(":")
    total = int(hours) * 60 + int(minutes or 0)
    if not 0 <= total <= DAY_MINUTES or not 0 <= int(minutes or 0) < 60:
        raise ValueError(f"not a time of day: {value!r}")
    return total


def parse_working_hours(
    raw: Mapping[object, Sequence[Sequence[str]]],
) -> dict[int, tuple[tuple[int, int], ...]]:
    """``{"0": [["08:00", "17:00"]], …}`` (weekday 0 = Monday) → minutes, validated and sorted."""
    out: dict[int, tuple[tuple[int, int], ...]] = {}
    for key, spans in (raw or {}).items():
        weekday = int(key)  # type: ignore[call-overload]
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {key!r}")
        parsed = sorted((parse_hhmm(a), parse_hhmm(b)) for a, b in spans)
        for (start, end), nxt in zip(parsed, [*parsed[1:], None], strict=True):
            if end <= start:
                raise ValueError(f"a working period must end after it starts: {start}–{end}")
            if nxt is not None and nxt[0] < end:
                raise ValueError("working periods overlap")
        if parsed:
            out[weekday] = tuple(parsed)
    return out


@lru_cache(maxsize=256)
def _state_holidays(state: str, year: int, language: str) -> dict[date, str]:
    return dict(holidays_lib.country_holidays("DE", subdiv=state or None, years=year, language=language))


@dataclass(frozen=True)
class Schedule:
    timezone: str = "Europe/Berlin"
    # weekday (0 = Monday) → ((start minute, end minute), …) in local wall-clock time
    hours: Mapping[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    # German federal state code ("BY", "NW", …); "" = nationwide holidays only; None = no public holidays
    holiday_state: str | None = ""
    custom_holidays: Mapping[date, str] = field(default_factory=dict)
    always_open: bool = False
    language: str = "en_US"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def holiday(self, day: date) -> str | None:
        """The holiday's name when ``day`` is a holiday of this calendar, else None."""
        if self.always_open:
            return None
        if day in self.custom_holidays:
            return self.custom_holidays[day]
        if self.holiday_state is None:
            return None
        return _state_holidays(self.holiday_state, day.year, self.language).get(day)

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of one local day as UTC instants (empty on holidays and days off)."""
        if self.always_open:
            return [(_local(day, 0, self.tz), _local(day, DAY_MINUTES, self.tz))]
        spans = self.hours.get(day.weekday(), ())
        if not spans or self.holiday(day) is not None:
            return []
        return [(_local(day, a, self.tz), _local(day, b, self.tz)) for a, b in spans]


def _local(day: date, minute: int, tz: ZoneInfo) -> datetime:
    if minute >= DAY_MINUTES:
        day, minute = day + timedelta(days=1), minute - DAY_MINUTES
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz).astimezone(UTC)


def _check_aware(*instants: datetime) -> None:
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("business time needs timezone-aware datetimes")


def _days_from(schedule: Schedule, start: datetime) -> Iterator[date]:
    # Start one day early: a night shift of the previous local day may still be running.
    day = start.astimezone(schedule.tz).date() - timedelta(days=1)
    for _ in range(MAX_SEARCH_DAYS):
        yield day
        day += timedelta(days=1)


def add_business_seconds(schedule: Schedule, start: datetime, seconds: float) -> datetime:
    """The instant at which ``seconds`` of business time have passed since ``start``."""
    _check_aware(start)
    if seconds < 0:
        raise ValueError("cannot add negative business time")
    if schedule.always_open:
        return (start + timedelta(seconds=seconds)).astimezone(UTC)
    remaining = timedelta(seconds=seconds)
    start = start.astimezone(UTC)
    for day in _days_from(schedule, start):
        for a, b in schedule.intervals(day):
            if b <= start:
                continue
            a = max(a, start)
            if remaining <= b - a:
                # A due time exactly at the end of a period stays there (17:00, not next morning 08:00).
                return a + remaining
            remaining -= b - a
    raise NoWorkingTime("the calendar has no working time")


def add_business_minutes(schedule: Schedule, start: datetime, minutes: float) -> datetime:
    return add_business_seconds(schedule, start, minutes * 60)


def business_seconds_between(schedule: Schedule, start: datetime, end: datetime) -> int:
    """Whole business seconds in [start, end); 0 when end is not after start."""
    _check_aware(start, end)
    if end <= start:
        return 0
    if schedule.always_open:
        return int((end - start).total_seconds())
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta()
    last_day = end.astimezone(schedule.tz).date()
    for day in _days_from(schedule, start):
        if day > last_day:
            break
        for a, b in schedule.intervals(day):
            overlap = min(b, end) - max(a, start)
            if overlap > timedelta():
                total += overlap
    return int(total.total_seconds())


def business_minutes_between(schedule: Schedule, start: datetime, end: datetime) -> float:
    return business_seconds_between(schedule, start, end) / 60


def holidays_between(schedule: Schedule, start: datetime, end: datetime) -> list[tuple[date, str]]:
    """Holidays that fell on a working weekday between ``start`` and ``end`` (the days the clock skipped)."""
    _check_aware(start, end)
    if schedule.always_open or end <= start:
        return []
    out = []
    day = start.astimezone(schedule.tz).date()
    last = end.astimezone(schedule.tz).date()
    while day <= last:
        name = schedule.holiday(day)
        if name is not None and schedule.hours.get(day.weekday()):
            out.append((day, name))
        day += timedelta(days=1)
    return out


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None  # None while it lasts
    business_seconds: int
    reason: str = "pending"


@dataclass(frozen=True)
class Explanation:
    """Why a due time is what it is, for the ticket page."""

    target: str  # "first_response" | "resolution"
    policy: str
    calendar: str
    timezone: str
    always_open: bool
    start: datetime
    target_minutes: int
    paused_minutes: float
    due: datetime
    holidays_skipped: list[tuple[date, str]]
    pauses: list[Pause]


def explain_due(
    schedule: Schedule,
    *,
    target: str,
    policy: str,
    calendar: str,
    start: datetime,
    target_minutes: int,
    pauses: Sequence[Pause] = (),
) -> Explanation:
    """The due time of a target (start + target + paused business time) with its reasons."""
    paused = sum(p.business_seconds for p in pauses)
    due = add_business_seconds(schedule, start, target_minutes * 60 + paused)
    return Explanation(
        target=target,
        policy=policy,
        calendar=calendar,
        timezone=schedule.timezone,
        always_open=schedule.always_open,
        start=start,
        target_minutes=target_minutes,
        paused_minutes=paused / 60,
        due=due,
        holidays_skipped=holidays_between(schedule, start, due),
        pauses=list(pauses),
    )
