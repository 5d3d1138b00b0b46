from __future__ import annotations

import pytest

from sla import demo
from sla.models import Calendar, SlaPolicy


@pytest.fixture
def default_policy(db) -> SlaPolicy:  # noqa: ANN001
    """The demo's default policy: Mon–Fri 08:00–17:00 Berlin, holidays of Berlin."""
    return demo.default_policy()


@pytest.fixture
def office_calendar(db) -> Calendar:  # noqa: ANN001
    return demo.business_hours_calendar()


@pytest.fixture
def always_open(db) -> Calendar:  # noqa: ANN001
    return demo.always_open_calendar()


@pytest.fixture
def make_policy(office_calendar):  # noqa: ANN001, ANN201
    """``make_policy(name, **fields)``: a policy with every target set to ``minutes`` unless given."""

    def make(
        name: str, *, minutes: int = 60, calendar: Calendar | None = None, **fields: object
    ) -> SlaPolicy:
        targets = {f"p{n}_{t}": minutes for n in range(1, 5) for t in ("first_response", "resolution")}
        return SlaPolicy.objects.create(
            name=name, calendar=calendar or office_calendar, **{**targets, **fields}
        )

    return make
