"""Demo data: a business-hours calendar, a 24/7 calendar and the default policy.

``seed_demo`` calls ``seed()`` before its tickets and ``after_history()`` after them; tests use ``seed()``
through a fixture. Idempotent.
"""

from __future__ import annotations

from .models import Calendar, SlaPolicy
from .services import sla_sweep

OFFICE_HOURS = {str(day): [["08:00", "17:00"]] for day in range(5)}


def business_hours_calendar() -> Calendar:
    calendar, _created = Calendar.objects.get_or_create(
        name="Business hours (Berlin)",
        defaults={"timezone": "Europe/Berlin", "working_hours": OFFICE_HOURS, "holiday_state": "BE"},
    )
    return calendar


def always_open_calendar() -> Calendar:
    calendar, _created = Calendar.objects.get_or_create(
        name="24/7", defaults={"timezone": "Europe/Berlin", "working_hours": {}, "always_open": True}
    )
    return calendar


def default_policy() -> SlaPolicy:
    """The default policy (business hours): the one every ticket gets unless a more specific one matches."""
    existing = SlaPolicy.objects.filter(is_default=True).first()
    if existing is not None:
        return existing
    policy, _created = SlaPolicy.objects.get_or_create(
        name="Standard",
        defaults={
            "calendar": business_hours_calendar(),
            "is_default": True,
            "p1_first_response": 30,
            "p1_resolution": 240,
            "p2_first_response": 60,
            "p2_resolution": 480,
            "p3_first_response": 240,
            "p3_resolution": 1440,
            "p4_first_response": 480,
            "p4_resolution": 2880,
        },
    )
    return policy


def seed() -> None:
    default_policy()
    SlaPolicy.objects.get_or_create(
        name="Critical infrastructure (24/7)",
        defaults={
            "calendar": always_open_calendar(),
            "p1_first_response": 15,
            "p1_resolution": 120,
            "p2_first_response": 30,
            "p2_resolution": 240,
            "p3_first_response": 120,
            "p3_resolution": 720,
            "p4_first_response": 240,
            "p4_resolution": 1440,
            "auto_escalate_on_breach": True,
        },
    )


def after_history() -> None:
    """After the demo tickets (``seed_demo``): the warnings and breaches their past ran into, recorded now
    as part of that history, so that the first sweep of ``make run`` does not mail them as news."""
    sla_sweep()
