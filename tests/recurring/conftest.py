from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from recurring import services

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args: int) -> datetime:
    """A moment in the site's time zone (Europe/Berlin)."""
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def make_schedule(alice, sam, service_desk):  # noqa: ANN001, ANN201
    """``make_schedule(cron, created=at(...), **fields)``: a schedule saved through the service at ``created``."""

    def make(cron: str = "0 8 * * *", *, created: datetime | None = None, **fields):  # noqa: ANN202
        data = {
            "name": "Check the backups",
            "cron": cron,
            "subject": "Backup check {date}",
            "description": "Look at last night's backup report.",
            "requester": alice,
            **fields,
        }
        with time_machine.travel(created or at(2026, 12, 1, 7, 0), tick=False):
            return services.schedule_save(by=sam, **data)

    return make


@pytest.fixture
def office_calendar(db):  # noqa: ANN001, ANN201
    """The demo's business hours: Mon–Fri 08:00–17:00 Berlin, with Berlin's holidays."""
    from sla import demo

    return demo.business_hours_calendar()
