"""A month of tickets in which every metric was computed by hand (see the table in ``march``).

Period under test: 2026-03-01 … 2026-03-31, whole days in Europe/Berlin (the test TIME_ZONE).
Counters and ESCALATED / DEESCALATED events are written directly (the escalation app's
services are not in this branch), exactly as the services leave them.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
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


# --- April 2026: the knowledge base and business-time numbers, through the real services ------------

APRIL = MetricFilters(date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
APRIL_PARAMS = {"from": "2026-04-01", "to": "2026-04-30"}


def _escalate(ticket: Ticket, by) -> None:  # noqa: ANN001
    """What the escalation service does to the core: tier up, count it, record the ESCALATED event."""
    from django.db import transaction

    from tickets import services as ts
    from tickets.events import event_record

    with transaction.atomic():
        t = ts.ticket_lock(pk=ticket.pk)
        t.tier, t.escalation_count = 2, t.escalation_count + 1
        t.save(update_fields=["tier", "escalation_count"])
        event_record(ticket=t, kind=ESC, actor=by, field="tier", old=1, new=2)


def _solved(client, article, at: datetime) -> None:  # noqa: ANN001
    with time_machine.travel(at, tick=False):
        assert (
            client.post("/help/suggest/solved/", {"article": article.pk, "q": "printer"}).status_code == 200
        )


@pytest.fixture
def april(alice, bob, tina, nick, network_category):  # noqa: ANN001
    """Business hours Mon–Fri 08–17 Berlin (the default policy); Good Friday 04-03, Easter Monday 04-06.

    | ticket         | created        | 1st reply | escalated | resolved        | article (published)   | FR biz | res biz |
    |----------------|----------------|-----------|-----------|-----------------|-----------------------|--------|---------|
    | easter         | Thu 04-02 16:00| Tue 09:00 | –         | Tue 04-07 11:00 | A (04-01)             | 120    | 240     |
    | known_article  | Wed 04-08 09:00| 09:30     | 10:00     | 13:00           | A (04-01) ✓ counts    | 30     | 240     |
    | article_later  | Thu 04-09 09:00| 10:00     | 11:00     | 15:00           | B (draft; pub. 12:00) | 60     | 360     |
    | no_article     | Fri 04-10 09:00| 09:10     | 10:00     | Mon 04-13 10:00 | – (pending 12–14 Fri) | 10     | 480     |
    | no_clock       | Tue 04-14 09:00| 09:20     | –         | 10:00           | – (no SLA row)        | –      | –       |

    Deflections: alice's session 04-02 10:00 (A) and 10:05 (D): one session, two records; bob's session
    04-03 10:00 (A), then he submits the form at 10:10: none; anonymous 04-30 23:50 (C): one; alice
    03-31 23:50 and 05-01 00:05: outside. → 2 sessions, 3 records.
    """
    from django.test import Client

    from knowledgebase.services import article_create, article_update
    from sla import demo
    from tickets import services as ts

    demo.default_policy()
    printing = CategoryFactory(name="Printing")
    toner = CategoryFactory(name="Toner", parent=printing)
    with time_machine.travel(berlin(2026, 4, 1, 9), tick=False):
        a = article_create(by=tina, title="Printer offline", body="Restart the spooler.", status="published",
                           categories=[printing])  # fmt: skip
        b = article_create(by=tina, title="VPN certificate", body="Renew it.", categories=[network_category])
        c = article_create(by=tina, title="Wi-Fi", body="Forget the network.", status="published",
                           categories=[network_category])  # fmt: skip
        d = article_create(
            by=tina, title="Toner low", body="Shake it.", status="published", categories=[toner]
        )

    def create(at: datetime) -> Ticket:
        with time_machine.travel(at, tick=False):
            return ts.ticket_create(requester=alice, by=alice, subject="Printer", description="Broken")

    def at(when: datetime, fn, **kwargs):  # noqa: ANN001, ANN202
        with time_machine.travel(when, tick=False):
            return fn(**kwargs)

    easter = create(berlin(2026, 4, 2, 16))
    at(berlin(2026, 4, 7, 9), ts.message_add, ticket=easter, author=tina, body="Which printer?")
    at(
        berlin(2026, 4, 7, 11),
        ts.ticket_resolve,
        ticket=easter,
        by=tina,
        resolution="Spooler",
        article_id=a.pk,
    )

    known_article = create(berlin(2026, 4, 8, 9))
    at(berlin(2026, 4, 8, 9, 30), ts.message_add, ticket=known_article, author=tina, body="Looking")
    at(berlin(2026, 4, 8, 10), _escalate, ticket=known_article, by=tina)
    at(berlin(2026, 4, 8, 13), ts.ticket_resolve, ticket=known_article, by=nick, resolution="Spooler",
       article_id=a.pk)  # fmt: skip

    article_later = create(berlin(2026, 4, 9, 9))
    at(berlin(2026, 4, 9, 10), ts.message_add, ticket=article_later, author=tina, body="Looking")
    at(berlin(2026, 4, 9, 11), _escalate, ticket=article_later, by=tina)
    at(berlin(2026, 4, 9, 12), article_update, article=b, by=nick, status="published")
    at(berlin(2026, 4, 9, 15), ts.ticket_resolve, ticket=article_later, by=nick, resolution="Cert",
       article_id=b.pk)  # fmt: skip

    no_article = create(berlin(2026, 4, 10, 9))
    at(berlin(2026, 4, 10, 9, 10), ts.message_add, ticket=no_article, author=tina, body="Looking")
    at(berlin(2026, 4, 10, 10), _escalate, ticket=no_article, by=tina)
    at(berlin(2026, 4, 10, 12), ts.ticket_update, ticket=no_article, by=nick, status="pending")
    at(berlin(2026, 4, 10, 14), ts.ticket_update, ticket=no_article, by=nick, status="open")
    at(berlin(2026, 4, 13, 10), ts.ticket_resolve, ticket=no_article, by=nick, resolution="Replaced")

    created = berlin(2026, 4, 14, 9)
    no_clock = TicketFactory(requester=alice, created_at=created, status="resolved", tier=1, resolved_tier=1,
                             first_response_at=created + 20 * MIN, resolved_at=created + 60 * MIN)  # fmt: skip

    alice_session, bob_session, anonymous = Client(), Client(), Client()
    with time_machine.travel(berlin(2026, 4, 2, 9), tick=False):
        alice_session.force_login(alice)
    _solved(alice_session, a, berlin(2026, 4, 2, 10))
    _solved(alice_session, d, berlin(2026, 4, 2, 10, 5))
    with time_machine.travel(berlin(2026, 4, 3, 9), tick=False):
        bob_session.force_login(bob)
    _solved(bob_session, a, berlin(2026, 4, 3, 10))
    with time_machine.travel(berlin(2026, 4, 3, 10, 10), tick=False):
        response = bob_session.post("/portal/new/", {"subject": "Printer", "description": "Still offline",
                                                     "impact": "low", "urgency": "low"})  # fmt: skip
        assert response.status_code == 302
    _solved(anonymous, c, berlin(2026, 4, 30, 23, 50))
    with time_machine.travel(berlin(2026, 3, 31, 9), tick=False):
        outside = Client()
        outside.force_login(alice)
    _solved(outside, a, berlin(2026, 3, 31, 23, 50))
    _solved(outside, a, berlin(2026, 5, 1, 0, 5))

    return SimpleNamespace(easter=easter, known_article=known_article, article_later=article_later,
                           no_article=no_article, no_clock=no_clock, a=a, b=b, c=c, d=d, printing=printing,
                           toner=toner)  # fmt: skip


@pytest.fixture
def sam_client(sam) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(sam)
    return client


def csv_rows(response) -> list[list[str]]:  # noqa: ANN001
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def card_html(html: str, key: str) -> str:
    """The dashboard card of one metric."""
    match = re.search(
        rf'<article class="card rep-card" id="metric-{re.escape(key)}">(.*?)</article>', html, re.S
    )
    assert match, key
    return match.group(1)
