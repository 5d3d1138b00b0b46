"""Schedules and their runs. The sweep (Celery beat → ``recurring.tasks.recurring_sweep``) calls
``recurring_sweep``; pages and the API call ``schedule_save`` / ``schedule_delete``.

When an occurrence is due the sweep opens its ticket through ``tickets.services.ticket_create``
(the normal path: SLA due times, notifications, webhooks) and records an ``Occurrence`` in the same
transaction. Guarantees:

- **Once per occurrence.** The schedule row is locked (``skip_locked``: a second worker moves on) and
  ``Occurrence`` is unique per (schedule, due time): a re-run or a second worker cannot insert it
  again, so it cannot open a second ticket.
- **Catching up after downtime.** Occurrences missed while nothing ran are folded into one: the sweep
  opens a single ticket for the latest missed occurrence (on a business day, when a calendar is set)
  and records how many it folded (``missed``). A daily "check the backups" ticket after three days of
  downtime is one ticket, not three.
- **Time zone.** The cron expression is read in the site's time zone (``TIME_ZONE``), so "0 8 * * *"
  is 08:00 in Berlin in summer and winter; a time that does not exist on the spring-forward day runs
  at the first minute after the gap, and one that occurs twice in autumn runs once.
- Activating a paused schedule or changing its expression starts from now: nothing is caught up.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from tickets import services as ticket_services
from tickets.models import Ticket

from .models import Occurrence, RecurringTicket

log = logging.getLogger(__name__)

CRON_INVALID = _(
    "Enter five fields: minute hour day-of-month month day-of-week, e.g. 0 8 * * 1-5 (weekdays at 08:00)."
)
TEAM_NOT_TIER_1 = _("A recurring ticket opens at tier 1: choose a tier-1 team (or none).")
REQUESTER_INACTIVE = _("This person's account is deactivated.")
# At most this many missed occurrences are walked through after a downtime (a minutely schedule
# down for a month); beyond, the latest due one is found directly.
CATCH_UP_LIMIT = 2000
NEXT_RUNS_LIMIT = 400  # occurrences looked at to find the next business-day runs


def _tz() -> Any:
    return timezone.get_default_timezone()


def cron_validate(expression: str) -> str:
    expression = " ".join((expression or "").split())
    if len(expression.split(" ")) != 5 or not croniter.is_valid(expression):
        raise ValidationError({"cron": [CRON_INVALID]})
    return expression


def _next(expression: str, after: datetime) -> datetime:
    return croniter(expression, timezone.localtime(after, _tz())).get_next(datetime)


def _latest(expression: str, until: datetime) -> datetime:
    """The latest occurrence at or before ``until``."""
    return croniter(expression, timezone.localtime(until, _tz()) + timedelta(seconds=1)).get_prev(datetime)


def _business_day(schedule: Any, moment: datetime) -> bool:
    """True without a calendar; else whether the local day of ``moment`` has working hours."""
    if schedule is None:
        return True
    day = timezone.localtime(moment, schedule.tz).date()
    return bool(schedule.intervals(day))


def next_runs(*, schedule: RecurringTicket, count: int = 5, now: datetime | None = None) -> list[datetime]:
    """The next ``count`` times this schedule opens a ticket (days off skipped), in the site's zone."""
    if not schedule.active:
        return []
    cal = schedule.calendar.schedule() if schedule.calendar_id else None
    it = croniter(schedule.cron, timezone.localtime(now or timezone.now(), _tz()))
    out: list[datetime] = []
    for _i in range(NEXT_RUNS_LIMIT):
        moment = it.get_next(datetime)
        if _business_day(cal, moment):
            out.append(moment)
            if len(out) == count:
                break
    return out


def schedule_validate(*, data: dict[str, Any]) -> dict[str, Any]:
    """Field errors for what cannot be saved; the normalised data otherwise."""
    errors: dict[str, list[Any]] = {}
    if "cron" in data:
        try:
            data["cron"] = cron_validate(data["cron"])
        except ValidationError as e:
            errors.update(e.message_dict)
    team = data.get("team")
    if team is not None and team.tier != 1:
        errors["team"] = [TEAM_NOT_TIER_1]
    requester = data.get("requester")
    if requester is not None and not requester.is_active:
        errors["requester"] = [REQUESTER_INACTIVE]
    if "tags" in data:
        data["tags"] = sorted({t.strip().lower()[:50] for t in data["tags"] or [] if t and t.strip()})
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def schedule_save(*, by: Any, instance: RecurringTicket | None = None, **data: Any) -> RecurringTicket:
    """Create or change a schedule. A new, re-activated or re-timed schedule starts from now."""
    data = schedule_validate(data=data)
    now = timezone.now()
    if instance is None:
        schedule = RecurringTicket(created_by=by, handled_until=now)
        restart = True
    else:
        schedule = RecurringTicket.objects.select_for_update().get(pk=instance.pk)
        restart = (data.get("cron", schedule.cron) != schedule.cron) or (
            data.get("active", schedule.active) and not schedule.active
        )
    for name, value in data.items():
        setattr(schedule, name, value)
    if restart:
        schedule.handled_until = now
    schedule.next_run_at = _next(schedule.cron, max(schedule.handled_until, now)) if schedule.active else None
    schedule.save()
    return schedule


@transaction.atomic
def schedule_delete(*, schedule: RecurringTicket) -> None:
    schedule.delete()  # the tickets it opened stay; its occurrence log goes


def _render_subject(subject: str, due: datetime, language: str) -> str:
    with translation.override(language):
        day = formats.date_format(timezone.localtime(due, _tz()).date(), "SHORT_DATE_FORMAT")
    return subject.replace("{date}", day)[:200]


def _open_ticket(schedule: RecurringTicket, due: datetime) -> Ticket:
    requester = schedule.requester
    language = requester.language or None
    ticket = ticket_services.ticket_create(
        requester=requester,
        subject=_render_subject(schedule.subject, due, language or translation.get_language() or "en"),
        description=schedule.description,
        by=None,
        channel=Ticket.Channel.API,
        category=schedule.category,
        language=language,
        tags=list(schedule.tags or []),
        event_data={"recurring": schedule.pk, "occurrence": due.isoformat()},
    )
    changes: dict[str, Any] = {}
    if schedule.team_id and schedule.team_id != ticket.team_id:
        changes["team"] = schedule.team
    if schedule.priority and schedule.priority != ticket.priority:
        changes["priority"] = schedule.priority
    if changes:
        ticket = ticket_services.ticket_update(ticket=ticket, by=None, **changes)
    return ticket


def _due_occurrences(schedule: RecurringTicket, now: datetime) -> tuple[list[datetime], bool]:
    """Occurrences after ``handled_until`` up to ``now``, oldest first; True when cut at the limit."""
    it = croniter(schedule.cron, timezone.localtime(schedule.handled_until, _tz()))
    out: list[datetime] = []
    while len(out) < CATCH_UP_LIMIT:
        moment = it.get_next(datetime)
        if moment > now:
            return out, False
        out.append(moment)
    return out, True


def recurring_run_one(*, schedule_id: int, now: datetime | None = None) -> Occurrence | None:
    """Handles what is due of one schedule, in one transaction. None when nothing was due, another
    worker holds it, or the occurrence was handled before."""
    now = now or timezone.now()
    with transaction.atomic():
        schedule = (
            RecurringTicket.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("requester", "category", "team", "calendar")
            .filter(pk=schedule_id, active=True, next_run_at__lte=now)
            .first()
        )
        if schedule is None:
            return None
        due, cut = _due_occurrences(schedule, now)
        if cut:
            due.append(_latest(schedule.cron, now))
        cal = schedule.calendar.schedule() if schedule.calendar_id else None
        business = [d for d in due if _business_day(cal, d)]
        occurrence = None
        if due:
            target = business[-1] if business else due[-1]
            occurrence = Occurrence(
                schedule=schedule,
                due_at=target,
                outcome=Occurrence.Outcome.OPENED if business else Occurrence.Outcome.SKIPPED,
                missed=max(len(business) - 1, 0),
            )
            try:
                with transaction.atomic():
                    occurrence.save()
                    if business:
                        occurrence.ticket = _open_ticket(schedule, target)
                        occurrence.save(update_fields=["ticket"])
            except IntegrityError:
                log.info("recurring %s: occurrence %s was handled before", schedule.pk, target)
                occurrence = None
        schedule.handled_until = now
        schedule.next_run_at = _next(schedule.cron, now)
        schedule.save(update_fields=["handled_until", "next_run_at"])
    return occurrence


def recurring_sweep(*, now: datetime | None = None) -> int:
    """Runs every due schedule, each in its own transaction. Returns the tickets opened."""
    now = now or timezone.now()
    ids = list(
        RecurringTicket.objects.filter(active=True, next_run_at__lte=now)
        .order_by("next_run_at")
        .values_list("pk", flat=True)
    )
    opened = 0
    for pk in ids:
        try:
            occurrence = recurring_run_one(schedule_id=pk, now=now)
        except Exception:  # one broken template must not hold up the others; it is retried next sweep
            log.exception("recurring %s: run failed", pk)
            continue
        if occurrence is not None and occurrence.ticket_id:
            opened += 1
    return opened
