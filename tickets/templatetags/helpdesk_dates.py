"""Relative times, the same way on every page and in every mail (docs/ui.md, "Dates").

A date is ``{{ d|date:"DATE_FORMAT" }}``, a date and time ``{{ d|date:"DATETIME_FORMAT" }}`` (the formats
are in ``helpdesk/formats/``). A relative time is one of these filters:

- ``{{ d|ago }}``: "5 days ago" / "vor 5 Tagen", for a past moment standing on its own;
- ``{{ d|duration_since }}`` / ``{{ d|duration_until }}``: the duration inside a sentence after a
  preposition ("in 5 days", "waiting 5 days", "accepted after 2 hours"), where German needs the dative
  ("in 5 Tagen", "wartet seit 5 Tagen") that Django's ``timesince`` ("5 Tage") does not give.
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext
from django.utils.translation import npgettext_lazy as _n

register = template.Library()

_AFTER = "after a preposition"
AFTER_PREPOSITION = {
    "year": _n(_AFTER, "%(num)d year", "%(num)d years", "num"),
    "month": _n(_AFTER, "%(num)d month", "%(num)d months", "num"),
    "week": _n(_AFTER, "%(num)d week", "%(num)d weeks", "num"),
    "day": _n(_AFTER, "%(num)d day", "%(num)d days", "num"),
    "hour": _n(_AFTER, "%(num)d hour", "%(num)d hours", "num"),
    "minute": _n(_AFTER, "%(num)d minute", "%(num)d minutes", "num"),
}


@register.filter
def duration_since(value: datetime | None, now: datetime | None = None) -> str:
    """The time from ``value`` to ``now`` (default: now), to follow a preposition."""
    if not value:
        return ""
    return timesince(value, now, time_strings=AFTER_PREPOSITION)


@register.filter
def duration_until(value: datetime | None, now: datetime | None = None) -> str:
    """The time from now (or ``now``) to ``value``, to follow a preposition."""
    if not value:
        return ""
    return timeuntil(value, now, time_strings=AFTER_PREPOSITION)


@register.filter
def ago(value: datetime | None) -> str:
    """A past moment relative to now: "5 days ago"."""
    if not value:
        return ""
    return gettext("%(time)s ago") % {"time": duration_since(value)}
