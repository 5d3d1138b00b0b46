from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value: Any) -> str:
    """0.6667 → "66.7 %"; None → "–"."""
    if value is None or value == "":
        return "–"
    return f"{number_format(float(value) * 100, 1)} %"


@register.filter
def minutes(value: Any) -> str:
    """Minutes as "45 min", "3.5 h" or "2.1 d"; None → "–"."""
    if value is None:
        return "–"
    value = float(value)
    if value < 90:
        return f"{number_format(value, 0)} min"
    if value < 48 * 60:
        return f"{number_format(value / 60, 1)} h"
    return f"{number_format(value / 1440, 1)} d"


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
    """A change of a rate in percentage points: 0.05 → "+5.0 pp"."""
    if delta is None:
        return "–"
    return f"{'+' if delta > 0 else ''}{number_format(float(delta) * 100, 1)} pp"


@register.filter
def signed(delta: Any) -> str:
    if delta is None:
        return "–"
    text = number_format(delta, 0) if float(delta).is_integer() else number_format(delta, 1)
    return f"+{text}" if delta > 0 else text
