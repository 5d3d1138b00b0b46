"""Demo data: ``manage.py seed_demo`` (idempotent; ``make run`` calls it with ``--if-empty``).

Teams, categories with escalation paths, demo logins and ~50 tickets in every state, German and
English, made THROUGH ``tickets.services`` (so events, counters and the other apps' receivers are
right), each played at its own past times over the last 60 days (time-machine), so SLA clocks,
escalations and every timestamp are as a real history would leave them. Every installed app's ``<app>.demo.seed()``
runs before the tickets and its ``after_history()`` after them, in INSTALLED_APPS order. All of it is played
as history (``tickets.events.history_replay``): it mails nobody. Prints the logins at the end.
"""

from __future__ import annotations

import importlib
import logging
import random
from datetime import datetime, time, timedelta
from typing import Any

import time_machine
from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from helpdesk.errors import ApplicationError
from tickets.demo_texts import RATING_COMMENTS, SCENARIOS, Scenario
from tickets.events import history_replay
from tickets.models import Ticket
from tickets.seeding import DEMO_USERS, Org, demo_users_ensure, logins_text, org_ensure
from tickets.services import (
    message_add,
    rating_create,
    ticket_close,
    ticket_create,
    ticket_resolve,
    ticket_update,
)

logger = logging.getLogger(__name__)

# The 50 demo tickets: (target state, tier it ends at). Every status, some escalated.
PLANS: list[tuple[str, int]] = (
    [("new", 1)] * 8
    + [("open", 1)] * 5
    + [("open", 2)] * 3
    + [("open", 3)] * 2
    + [("pending", 1)] * 4
    + [("pending", 2)] * 2
    + [("resolved", 1)] * 5
    + [("resolved", 2)] * 2
    + [("resolved", 3)] * 1
    + [("reopened", 1)] * 2
    + [("closed", 1)] * 11
    + [("closed", 2)] * 4
    + [("closed", 3)] * 1
)
# How old a ticket in each state is, in days (created_at = now - a value in this range).
AGE_DAYS = {
    "new": (0.05, 1),
    "open": (0.5, 6),
    "pending": (1, 8),
    "resolved": (1, 5),
    "reopened": (2, 6),
    "closed": (10, 60),
}


class Command(BaseCommand):
    help = "Creates the demo organisation, logins and ~50 tickets (idempotent), then prints the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="seed only when the database has no users yet"
        )
        parser.add_argument("--logins-only", action="store_true", help="only print the demo logins")

    def handle(self, *args: object, **options: Any) -> None:
        if options["logins_only"]:
            pass
        elif options["if_empty"] and User.objects.exists():
            pass  # `make run` on every start after the first: only the logins
        else:
            made = demo_seed()
            self.stdout.write(self.style.SUCCESS(f"Demo data ready ({made} new tickets)."))
        text = logins_text()
        if text:
            self.stdout.write(text)


def demo_seed(*, seed: int = 2026) -> int:
    """Seeds everything; returns how many tickets it created (0 when the demo tickets exist).

    The apps' ``<app>.demo.seed()`` run before the tickets, so that the tickets meet the SLA
    policies, knowledge base and everything else an app contributes, as real tickets would. All of it is
    history (``history_replay``): it writes no mail and no webhook delivery."""
    with history_replay():
        return _demo_seed(seed)


def _demo_seed(seed: int) -> int:
    org = org_ensure()
    users = demo_users_ensure(org)
    _app_demo_hooks("seed")
    customers = [u.username for u in DEMO_USERS if u.role == User.Role.CUSTOMER]
    if Ticket.objects.filter(requester__username__in=customers).exists():
        return 0
    made = _tickets(org, users, random.Random(seed))
    # e.g. the SLA sweep: the warnings and breaches the history ran into are part of it, not news.
    _app_demo_hooks("after_history")
    return made


def _app_demo_hooks(name: str) -> None:
    """Calls ``<app>.demo.<name>()`` of every installed app that has one, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        if callable(getattr(module, name, None)):
            getattr(module, name)()


def _tickets(org: Org, users: dict[str, User], rng: random.Random) -> int:
    by_language = {
        "en": [s for s in SCENARIOS if s.language == "en"],
        "de": [s for s in SCENARIOS if s.language == "de"],
    }
    now = timezone.now()
    for i, (state, tier) in enumerate(PLANS):
        language = "de" if i % 2 else "en"
        pool = by_language[language]
        scenario = pool[(i // 2) % len(pool)]
        requester = users["kunde" if language == "de" else "customer"]
        created = now - timedelta(days=rng.uniform(*AGE_DAYS[state]))
        # Up to a dozen steps, over a few hours to days, all before now.
        span = min(timedelta(days=rng.uniform(0.1, 4)), (now - created) * 0.8)
        first_contact = tier == 1 and state in ("resolved", "closed") and i % 3 == 0
        with transaction.atomic(), _Clock(created, step=span / 12, now=now) as clock:
            _play(org, users, scenario, requester, state, tier, rng, clock, first_contact=first_contact)
    return len(PLANS)


class _Clock:
    """The time the services see while one demo ticket is played: it starts at the ticket's
    creation and moves forward a step before every action."""

    def __init__(self, start: Any, *, step: timedelta, now: Any) -> None:
        self._traveller = time_machine.travel(start, tick=False)
        self.step, self.now = step, now
        self._last = start

    def __enter__(self) -> _Clock:
        self._coordinates = self._traveller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._traveller.stop()

    def tick(self) -> None:
        """A step on; an action that would fall outside the demo team's working hours waits for them."""
        self._coordinates.shift(self.step)
        at = timezone.now()
        working = _working_time(at)
        # The next working morning can lie after the real now (a weekend): then the step stays where it is.
        if working > self.now - timedelta(hours=1):
            working = at
        self.move_to(working)

    def move_to(self, when: Any) -> None:
        """Never beyond an hour before the real now, and always after the last action (a second on
        where the cap holds the clock), so the actions keep their order in time."""
        when = min(when, self.now - timedelta(hours=1))
        self._last = max(when, self._last + timedelta(seconds=1))
        self._coordinates.move_to(self._last)


# The demo agents work Mon–Fri 08:00–17:00 (local time), like the demo's SLA calendar: what they do
# happens then, so the business-time numbers of the dashboard look like a real team's.
WORKING_HOURS = (8, 17)


def _working_time(at: datetime) -> datetime:
    """``at`` if it lies in the working hours, else the next working morning, 10–49 minutes after the
    start (varied by ``at``'s minute, so not every night's action lands on the same minute)."""
    local = timezone.localtime(at)
    start, end = WORKING_HOURS
    if local.weekday() < 5 and start <= local.hour < end:
        return at
    day = local.date() + timedelta(days=1 if local.hour >= end else 0)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    morning = datetime.combine(day, time(start), tzinfo=local.tzinfo)
    return morning + timedelta(minutes=10 + local.minute % 40)


def _play(
    org: Org,
    users: dict[str, User],
    s: Scenario,
    requester: User,
    state: str,
    tier: int,
    rng: random.Random,
    clock: _Clock,
    *,
    first_contact: bool = False,
) -> Ticket:
    """One ticket's life, through the services, as agents and the customer would live it; with
    ``first_contact``, solved by the first answer (no further customer message)."""
    agent1, agent2, agent3 = users["agent1"], users["agent2"], users["agent3"]
    by_phone = s.channel == "phone"
    ticket = ticket_create(
        requester=requester,
        subject=s.subject,
        description=s.description,
        by=agent1 if by_phone else requester,
        channel=s.channel,
        category=org.categories.get(s.category),
        impact=s.impact,
        urgency=s.urgency,
        language=s.language,
    )
    if state == "new":
        return ticket
    clock.tick()
    ticket = ticket_update(ticket=ticket, by=agent1, assignee=agent1)
    if first_contact:
        clock.tick()
        message_add(ticket=ticket, author=agent1, body=s.resolution)
        clock.tick()
        ticket = ticket_resolve(ticket=ticket, by=agent1, resolution=s.resolution)
        return _after_resolution(ticket, requester=requester, s=s, state=state, rng=rng, clock=clock)
    clock.tick()
    message_add(ticket=ticket, author=agent1, body=s.reply)
    clock.tick()
    message_add(ticket=ticket, author=requester, body=s.followup, channel=s.channel)
    solver = agent1
    if tier >= 2:
        clock.tick()
        message_add(ticket=ticket, author=agent1, body=s.note, internal=True)
        clock.tick()
        if _escalate(ticket, by=agent1, to_tier=2, s=s):
            solver = agent2
            clock.tick()
            ticket = _assign(ticket, by=agent2, assignee=agent2)
    if tier == 3 and solver == agent2:
        clock.tick()
        message_add(ticket=ticket, author=agent2, body=_t(s, "t3note"), internal=True)
        clock.tick()
        if _escalate(ticket, by=agent2, to_tier=3, s=s):
            solver = agent3
            clock.tick()
            ticket = _assign(ticket, by=agent3, assignee=agent3)
    ticket.refresh_from_db()
    clock.tick()
    if state == "open":
        if solver != agent1:
            message_add(ticket=ticket, author=solver, body=_t(s, "working"))
        return ticket
    if state == "pending":
        message_add(ticket=ticket, author=solver, body=_t(s, "question"))
        return ticket_update(ticket=ticket, by=solver, status=Ticket.Status.PENDING)
    message_add(ticket=ticket, author=solver, body=s.resolution)
    ticket = ticket_resolve(ticket=ticket, by=solver, resolution=s.resolution)
    if state == "reopened":
        # The customer answers within the reopen window: the ticket reopens; the agent solves it again.
        clock.tick()
        message_add(ticket=ticket, author=requester, body=_t(s, "again"))
        ticket.refresh_from_db()
        clock.tick()
        message_add(ticket=ticket, author=solver, body=_t(s, "fixed"))
        ticket = ticket_resolve(ticket=ticket, by=solver, resolution=s.resolution)
    return _after_resolution(ticket, requester=requester, s=s, state=state, rng=rng, clock=clock)


def _after_resolution(
    ticket: Ticket, *, requester: User, s: Scenario, state: str, rng: random.Random, clock: _Clock
) -> Ticket:
    """The survey answer (most customers give one) and, past the reopen window, the closing."""
    resolved_at = ticket.resolved_at
    if rng.random() < 0.6:
        clock.tick()
        score = rng.choice([5, 5, 5, 4, 4, 3, 2])
        rating_create(
            ticket=ticket, by=requester, score=score, comment=rng.choice(RATING_COMMENTS[s.language])
        )
    if state == "closed":
        clock.move_to(resolved_at + timedelta(days=7))
        ticket = ticket_close(ticket=ticket, by=None)  # closed automatically after the reopen window
    return ticket


EXTRA_TEXTS = {
    "en": {
        "t3note": "Analysis so far attached above. Looks like a defect, needs Engineering for root cause and fix.",
        "working": "We have taken over your request and are working on it. We will update you today.",
        "question": "Could you please try again and tell us whether the problem still occurs? We will wait for "
        "your answer.",
        "again": "Unfortunately the problem is back since this morning.",
        "fixed": "Sorry about that. We found a second cause and fixed it as well. Please let us know if it happens "
        "again.",
    },
    "de": {
        "t3note": "Bisherige Analyse siehe oben. Sieht nach einem Fehler aus; Engineering bitte Ursache beheben.",
        "working": "Wir haben Ihre Anfrage übernommen und arbeiten daran. Sie hören heute noch von uns.",
        "question": "Könnten Sie es bitte noch einmal versuchen und uns sagen, ob das Problem weiterhin besteht? "
        "Wir warten auf Ihre Antwort.",
        "again": "Leider tritt das Problem seit heute Morgen wieder auf.",
        "fixed": "Das tut uns leid. Wir haben eine zweite Ursache gefunden und ebenfalls behoben. Bitte melden Sie "
        "sich, falls es erneut auftritt.",
    },
}


def _t(s: Scenario, key: str) -> str:
    return EXTRA_TEXTS[s.language][key]


def _escalate(ticket: Ticket, *, by: User, to_tier: int, s: Scenario) -> bool:
    """Escalates with a full handoff through the escalation app's service."""
    from escalation.services import ticket_escalate

    try:
        ticket_escalate(
            ticket=ticket,
            by=by,
            from_tier=to_tier - 1,
            to_tier=to_tier,
            reason="needs_expertise",
            summary=s.description[:500],
            steps_taken=s.reply,
            diagnostics=s.note,
            customer_impact=s.description[:200],
        )
    except ApplicationError as exc:
        # The demo stays usable without this escalation; say why it is missing.
        logger.warning("Demo ticket %s not escalated to tier %s: %r", ticket.pk, to_tier, exc)
        return False
    ticket.refresh_from_db()
    return ticket.tier == to_tier


def _assign(ticket: Ticket, *, by: User, assignee: User) -> Ticket:
    ticket.refresh_from_db()
    try:
        return ticket_update(ticket=ticket, by=by, assignee=assignee)
    except ApplicationError:
        return ticket
