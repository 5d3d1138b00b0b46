from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

register = template.Library()


def _round(value: Any, places: int) -> str:
    """Rounded half-up (9/14 → 64.3, not Django's truncated 64.2), in the active locale's format."""
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(exact, places)


def _sign(value: Any, text: str) -> str:
    return f"+{text}" if value > 0 else (f"-{text}" if value < 0 else text)


@register.filter
def pct(value: Any) -> str:
    """0.6667 → "66.7 %"; None → "–"."""
    if value is None or value == "":
        return "–"
    return f"{_round(float(value) * 100, 1)} %"


@register.filter
def minutes(value: Any) -> str:
    """Minutes as "< 1 min", "45 min", "3.5 h" or "2.1 d"; None → "–"."""
    if value is None:
        return "–"
    value = abs(float(value))
    if value < 1:
        return "< 1 min"
    if value < 89.5:
        return f"{_round(value, 0)} min"
    if value < 48 * 60:
        return f"{_round(value / 60, 1)} h"
    return f"{_round(value / 1440, 1)} d"


@register.filter
def signed_minutes(delta: Any) -> str:
    """A change of a time: 20 → "+20 min", -150 → "-2.5 h", 0 → "0 min"."""
    if delta is None:
        return "–"
    return _sign(delta, minutes(delta)) if delta else "0 min"


@register.filter
def arrow(change: dict | None) -> str:
    if not change or change.get("delta") in (None, 0):
        return "→"
    return "▲" if change["delta"] > 0 else "▼"


@register.filter
def get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def pp(delta: Any) -> str:
    """A change of a rate in percentage points: 0.05 → "+5.0 pp" (German "+5,0 Pp.")."""
    if delta is None:
        return "–"
    # Translators: the abbreviation of "percentage points" after a change of a rate.
    unit = gettext("pp")
    return f"{_sign(delta, _round(abs(float(delta)) * 100, 1))} {unit}"


@register.filter
def signed(delta: Any) -> str:
    if delta is None:
        return "–"
    return _sign(delta, _round(abs(float(delta)), 0 if float(delta).is_integer() else 1))


@register.filter
def ticket_counts(ticket: Any) -> str:
    """What happened to a ticket, in words: "1 escalation · 2 public replies"; nothing → ""."""
    counts = [
        (ticket.escalation_count, ngettext("%(n)s escalation", "%(n)s escalations", ticket.escalation_count)),
        (
            ticket.deescalation_count,
            ngettext("%(n)s de-escalation", "%(n)s de-escalations", ticket.deescalation_count),
        ),
        (ticket.reopen_count, ngettext("%(n)s reopen", "%(n)s reopens", ticket.reopen_count)),
        (
            ticket.public_reply_count,
            ngettext("%(n)s public reply", "%(n)s public replies", ticket.public_reply_count),
        ),
        (
            ticket.customer_followup_count,
            ngettext("%(n)s customer follow-up", "%(n)s customer follow-ups", ticket.customer_followup_count),
        ),
    ]
    return " · ".join(text % {"n": n} for n, text in counts if n)
