"""A month of tickets in which every metric was computed by hand (see the table in ``march``).

Period under test: 2026-03-01 … 2026-03-31, whole days in Europe/Berlin (the test TIME_ZONE).
Counters and ESCALATED / DEESCALATED events are written directly (the escalation app's
services are not in this branch), exactly as the services leave them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from reporting.metrics import MetricFilters
from tests.factories import CategoryFactory, TicketFactory
from tickets.models import Rating, Ticket, TicketEvent

BERLIN = ZoneInfo("Europe/Berlin")
MARCH = MetricFilters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
MARCH_PARAMS = {"from": "2026-03-01", "to": "2026-03-31"}
MIN = timedelta(minutes=1)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _berlin(settings):  # noqa: ANN001
    settings.TIME_ZONE = "Europe/Berlin"


def _ticket(
    *, created: datetime, status: str = "resolved", resolved_after: int | None = None, **fields
) -> Ticket:
    fr_after = fields.pop("fr_after", None)
    fr_due = fields.pop("fr_due", None)
    res_due = fields.pop("res_due", None)
    values = {
        "created_at": created,
        "status": status,
        "first_response_at": created + fr_after * MIN if fr_after is not None else None,
        "first_response_due": created + fr_due * MIN if fr_due is not None else None,
        "resolution_due": created + res_due * MIN if res_due is not None else None,
        **fields,
    }
    if resolved_after is not None:
        values["resolved_at"] = created + resolved_after * MIN
    return TicketFactory(**values)


def _moves(ticket: Ticket, *moves: tuple[str, int, int]) -> None:
    # Written directly, like the rows above: through event_record the sla app's receiver would
    # recompute the hand-set due times of this fixture from its (absent) policy.
    for kind, old, new in moves:
        TicketEvent.objects.create(
            ticket=ticket, kind=kind, field="tier", old_value=str(old), new_value=str(new)
        )


ESC = TicketEvent.Kind.ESCALATED
DEESC = TicketEvent.Kind.DEESCALATED


@pytest.fixture
def march(alice, bob, tina, nick, erin, sam, service_desk, network_team, engineering, network_category):  # noqa: ANN001
    """
    | # | ticket            | created (Berlin)   | resolved          | FLR | FCR | fr min | res min | SLA fr | SLA res | rating |
    |---|-------------------|--------------------|-------------------|-----|-----|--------|---------|--------|---------|--------|
    | 1 | first_contact     | 03-10 09:00 web    | +60 tina T1       | y   | y   | 30     | 60      | met    | met     | 5      |
    | 2 | followup          | 03-10 09:00 email  | +600 tina T1      | y   | n   | 120    | 600     | met    | BREACH  | –      |
    | 3 | phone             | 03-11 10:00 phone  | +10 tina T1       | y   | y   | –      | 10      | met*   | met     | 4      |
    | 4 | escalated_once    | 03-12 08:00 web    | +2880 nick T2     | n   | n   | 45     | 2880    | met    | BREACH  | 2      |
    | 5 | escalated_twice   | 03-12 08:00 chat   | +5760 erin T3     | n   | n   | 15     | 5760    | –      | –       | –      |
    | 6 | ping_pong         | 03-13 08:00 email  | +3000 tina T1     | n   | n   | 20     | 3000    | BREACH | met     | –      |
    | 7 | reopened          | 03-14 08:00 web    | +1440 tina T1 (2×)| y   | n   | 60     | 1440    | met    | met     | 3      |
    | 8 | resolved_twice    | 02-20 10:00 web    | 03-05 10:00 tina  | y   | n   | 30     | 18720   | –      | –       | –      |
    | 9 | reopened_open     | 03-03 10:00 web    | (open again)      |     |     |        |         |        |         |        |
    |10 | open_new          | 03-20 10:00 web    | –                 |     |     |        |         |        |         |        |
    |11 | late_evening      | 03-31 23:30 web    | +20 tina T1       | y   | y   | 10     | 20      | met    | met     | –      |
    |12a| first_minute      | 03-01 00:30 web    | – (new)           |     |     |        |         |        |         |        |
    |12b| before_period     | 02-28 23:30 web    | – (new)           |     |     |        |         |        |         |        |
    |12c| after_period      | 04-01 00:10 web    | +10 (April)       |     |     |        |         |        |         | 1      |
    |13 | pending_t2        | now − 2 d, T2      | – (pending)       |     |     |        |         |        |         |        |
    |14 | open_t3           | now − 2 h, T3      | – (open)          |     |     |        |         |        |         |        |
    * #3 was resolved on the phone without a public reply: the resolution is its response.
    """
    printing = CategoryFactory(name="Printing")
    toner = CategoryFactory(name="Toner", parent=printing)
    net = network_category
    sd, nw, eng = service_desk, network_team, engineering
    t1 = {"tier": 1, "team": sd, "resolved_tier": 1, "resolved_by": tina}
    now = timezone.now()

    first_contact = _ticket(
        created=berlin(2026, 3, 10, 9), channel="web", category=printing, requester=alice,
        fr_after=30, resolved_after=60, fr_due=240, res_due=480, public_reply_count=1, **t1,
    )  # fmt: skip
    followup = _ticket(
        created=berlin(2026, 3, 10, 9), channel="email", category=toner, requester=bob,
        fr_after=120, resolved_after=600, fr_due=240, res_due=480,
        public_reply_count=2, customer_followup_count=1, **t1,
    )  # fmt: skip
    phone = _ticket(
        created=berlin(2026, 3, 11, 10), channel="phone", category=net, requester=alice,
        resolved_after=10, fr_due=240, res_due=480, public_reply_count=0, **t1,
    )  # fmt: skip
    escalated_once = _ticket(
        created=berlin(2026, 3, 12, 8), channel="web", category=net, requester=bob, tier=2, team=nw,
        resolved_tier=2, resolved_by=nick, escalation_count=1,
        fr_after=45, resolved_after=2880, fr_due=60, res_due=1440, public_reply_count=2,
    )  # fmt: skip
    _moves(escalated_once, (ESC, 1, 2))
    escalated_twice = _ticket(
        created=berlin(2026, 3, 12, 8), channel="chat", category=net, requester=alice, tier=3, team=eng,
        resolved_tier=3, resolved_by=erin, escalation_count=2,
        fr_after=15, resolved_after=5760, public_reply_count=3,
    )  # fmt: skip
    _moves(escalated_twice, (ESC, 1, 2), (ESC, 2, 3))
    ping_pong = _ticket(
        created=berlin(2026, 3, 13, 8), channel="email", category=net, requester=bob,
        escalation_count=2, deescalation_count=2,
        fr_after=20, resolved_after=3000, fr_due=10, res_due=7200, public_reply_count=4, **t1,
    )  # fmt: skip
    _moves(ping_pong, (ESC, 1, 2), (DEESC, 2, 1), (ESC, 1, 2), (DEESC, 2, 1))
    reopened = _ticket(
        created=berlin(2026, 3, 14, 8), status="closed", channel="web", category=printing, requester=alice,
        reopen_count=1, fr_after=60, resolved_after=1440, fr_due=240, res_due=2880, public_reply_count=1, **t1,
    )  # fmt: skip
    resolved_twice = _ticket(
        created=berlin(2026, 2, 20, 10), channel="web", category=None, requester=bob, reopen_count=1,
        fr_after=30, resolved_after=int((berlin(2026, 3, 5, 10) - berlin(2026, 2, 20, 10)) / MIN),
        public_reply_count=1, **t1,
    )  # fmt: skip
    reopened_open = _ticket(
        created=berlin(2026, 3, 3, 10), status="open", resolved_after=1440, reopen_count=1, fr_after=5,
        channel="web", requester=alice, tier=1, team=sd, resolved_tier=1, resolved_by=tina,
    )  # fmt: skip
    open_new = _ticket(created=berlin(2026, 3, 20, 10), status="new", tier=1, team=sd, requester=bob)
    late_evening = _ticket(
        created=berlin(2026, 3, 31, 23, 30), channel="web", requester=alice,
        fr_after=10, resolved_after=20, fr_due=240, res_due=480, public_reply_count=1, **t1,
    )  # fmt: skip
    first_minute = _ticket(created=berlin(2026, 3, 1, 0, 30), status="new", tier=1, team=sd, requester=bob)
    before_period = _ticket(created=berlin(2026, 2, 28, 23, 30), status="new", tier=1, team=sd, requester=bob)
    after_period = _ticket(created=berlin(2026, 4, 1, 0, 10), resolved_after=10, requester=alice, **t1)
    pending_t2 = _ticket(created=now - timedelta(days=2), status="pending", tier=2, team=nw, requester=bob)
    open_t3 = _ticket(created=now - timedelta(hours=2), status="open", tier=3, team=eng, requester=alice)

    for ticket, score in (
        (first_contact, 5),
        (phone, 4),
        (escalated_once, 2),
        (reopened, 3),
        (after_period, 1),
    ):
        Rating.objects.create(ticket=ticket, score=score)

    return SimpleNamespace(**{k: v for k, v in locals().items() if isinstance(v, Ticket)}, printing=printing,
                           toner=toner, net=net)  # fmt: skip
