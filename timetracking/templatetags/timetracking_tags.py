from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def hours_minutes(minutes: Any) -> str:
    """Minutes as "45 min", "2 h" or "1 h 30 min" (German "1 Std. 30 Min.")."""
    try:
        minutes = int(minutes or 0)
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)d min") % {"m": rest}
    if not rest:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}


@register.simple_tag(takes_context=True)
def time_edit_form(context: Any, entry: Any) -> Any:
    """The edit form under an entry: the one that came back with errors, else one filled from the entry."""
    from timetracking.forms import TimeEntryForm

    forms = context.get("edit_forms") or {}
    if entry.pk in forms:
        return forms[entry.pk]
    return TimeEntryForm(
        auto_id=f"time{entry.pk}_%s",
        initial={
            "duration": hours_minutes_input(entry.minutes),
            "date": entry.date,
            "note": entry.note,
            "billable": entry.billable,
        },
    )


def hours_minutes_input(minutes: int) -> str:
    """Minutes as the form reads them back: "1:30"."""
    return f"{minutes // 60}:{minutes % 60:02d}"
