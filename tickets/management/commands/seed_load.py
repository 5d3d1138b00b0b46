"""A large, realistic data set, fast: ``manage.py seed_load --tickets 1000000``.

On PostgreSQL the rows go in with COPY (psycopg 3) inside ONE transaction: the secondary indexes and
foreign keys of the ticket, message and event tables are dropped first and rebuilt after the load
(a B-tree built once is far cheaper than one updated per row), then the tables are analysed and the
sequences reset. If anything fails, the transaction rolls back and the schema is as before.
On SQLite the same rows go in with ``bulk_create`` in batches (slow, but fine for tests).

No ORM object per row and no signals: the generator writes counters, timestamps, due times and events
that agree with each other the way the services would have left them (but without the rows other
apps write through ``event_recorded``, e.g. escalation handoffs or outbox rows).
Users it creates can sign in with the password ``demo-load-2026``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from accounts.models import Team, User
from tickets.demo_texts import SCENARIOS
from tickets.models import Category, Message, Ticket, TicketEvent, TicketSearch
from tickets.seeding import org_ensure
from tickets.services import PRIORITY_MATRIX, route_team

LOAD_PASSWORD = "demo-load-2026"
# Tickets generated and copied per round; ~50k tickets keep a round's rows (~400k) well under 1 GB.
BATCH = 50_000

FIRST_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Felix",
    "Greta",
    "Hannes",
    "Ida",
    "Jonas",
    "Katrin",
    "Lukas",
    "Mia",
    "Noah",
    "Olga",
    "Paul",
    "Rita",
    "Sven",
    "Tara",
    "Umut",
    "Vera",
    "Wim",
    "Yara",
    "Zoe",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Smith",
    "Jones",
    "Brown",
    "Taylor",
    "Wilson",
    "Novak",
    "Kowalski",
    "Rossi",
    "Yilmaz",
    "Jansen",
]
_ASCII = str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "ß": "ss"})

STATUS_NEW, STATUS_OPEN, STATUS_PENDING, STATUS_RESOLVED, STATUS_CLOSED = (
    "new",
    "open",
    "pending",
    "resolved",
    "closed",
)
# (age limit in days, [(status, weight)]): recent tickets are still being worked, old ones are done.
STATUS_BY_AGE = [
    (2, [(STATUS_NEW, 35), (STATUS_OPEN, 40), (STATUS_PENDING, 10), (STATUS_RESOLVED, 15)]),
    (9, [(STATUS_NEW, 4), (STATUS_OPEN, 26), (STATUS_PENDING, 15), (STATUS_RESOLVED, 55)]),
    (30, [(STATUS_OPEN, 4), (STATUS_PENDING, 3), (STATUS_RESOLVED, 3), (STATUS_CLOSED, 90)]),
    (10**6, [(STATUS_OPEN, 0.5), (STATUS_PENDING, 0.3), (STATUS_CLOSED, 99.2)]),
]
CHANNELS = [("web", 45), ("email", 33), ("phone", 13), ("chat", 6), ("api", 3)]
LEVELS = [("low", 40), ("medium", 45), ("high", 15)]
# Due times (calendar time): first response and resolution per priority.
FR_TARGET = {
    "P1": timedelta(hours=1),
    "P2": timedelta(hours=4),
    "P3": timedelta(hours=8),
    "P4": timedelta(hours=24),
}
RES_TARGET = {
    "P1": timedelta(hours=8),
    "P2": timedelta(days=1),
    "P3": timedelta(days=3),
    "P4": timedelta(days=5),
}
AUTO_CLOSE_AFTER = timedelta(days=7)

TICKET_COLS = [
    "id",
    "subject",
    "description",
    "requester_id",
    "channel",
    "category_id",
    "impact",
    "urgency",
    "priority",
    "priority_overridden",
    "status",
    "tier",
    "team_id",
    "assignee_id",
    "language",
    "created_at",
    "updated_at",
    "version",
    "first_response_due",
    "resolution_due",
    "sla_state",
    "sla_paused_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "resolved_by_id",
    "resolved_tier",
    "resolution",
    "escalation_count",
    "deescalation_count",
    "reopen_count",
    "public_reply_count",
    "customer_followup_count",
    "merged_into_id",
]
MESSAGE_COLS = [
    "id",
    "ticket_id",
    "author_id",
    "body",
    "internal",
    "by_agent",
    "channel",
    "created_at",
    "email_message_id",
    "match_reason",
]
EVENT_COLS = ["id", "ticket_id", "kind", "actor_id", "field", "old_value", "new_value", "data", "created_at"]
USER_COLS = [
    "id",
    "password",
    "last_login",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "role",
    "language",
    "email_updates",
    "available",
]


def _weighted(pairs: list[tuple[str, float]], rng: random.Random, k: int) -> list[str]:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=k)


class Generator:
    """Makes the rows. Ids are assigned here (after the current maxima), so rows reference each other."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime,
        days: int,
        customers: list[tuple[int, str]],
        agents_by_team: dict[int, list[int]],
        routes: dict[tuple[int | None, int], int | None],
        categories: dict[str, int],
        next_ids: dict[str, int],
    ) -> None:
        self.rng = rng
        self.now = now
        self.days = days
        self.customers = customers
        self.agents_by_team = agents_by_team
        self.all_agents = [a for agents in agents_by_team.values() for a in agents]
        self.routes = routes
        self.next_ids = dict(next_ids)
        # Scenarios by (language, category id); plus a few uncategorised tickets.
        self.scenarios = [(s, categories.get(s.category)) for s in SCENARIOS]
        self.closing_en = "Closed automatically 7 days after it was resolved."

    def tickets(self, count: int) -> Iterator[tuple[list[tuple], list[tuple], list[tuple]]]:
        """Yields (tickets, messages, events) rows per batch, oldest ticket first (ids follow time)."""
        rng, now = self.rng, self.now
        span = timedelta(days=self.days).total_seconds()
        start = now - timedelta(days=self.days)
        ticket_id = self.next_ids["ticket"]
        message_id = self.next_ids["message"]
        event_id = self.next_ids["event"]
        done = 0
        while done < count:
            n = min(BATCH, count - done)
            tickets: list[tuple] = []
            messages: list[tuple] = []
            events: list[tuple] = []
            channels = _weighted(CHANNELS, rng, n)
            impacts = _weighted(LEVELS, rng, n)
            urgencies = _weighted(LEVELS, rng, n)
            rand = rng.random
            for i in range(n):
                position = (done + i + rand()) / count
                created = start + timedelta(seconds=span * position)
                age_days = (now - created).total_seconds() / 86400
                for limit, pairs in STATUS_BY_AGE:
                    if age_days < limit:
                        status = _weighted(pairs, rng, 1)[0]
                        break
                scenario, category_id = self.scenarios[int(rand() * len(self.scenarios))]
                if rand() < 0.05:
                    category_id = None
                requester, language = self.customers[int(rand() * len(self.customers))]
                channel = channels[i]
                impact, urgency = impacts[i], urgencies[i]
                priority = PRIORITY_MATRIX[(impact, urgency)]
                overridden = rand() < 0.03
                if overridden:
                    priority = ("P1", "P2", "P3", "P4")[int(rand() * 4)]
                r = rand()
                tier = 3 if r < 0.06 else 2 if r < 0.24 else 1
                if status == STATUS_NEW:
                    tier = 1
                team = self.routes[(category_id, tier)]
                t1_team = self.routes[(category_id, 1)]
                t1_agent = self._agent(t1_team)
                assignee = None if status == STATUS_NEW else self._agent(team)
                fr_due = created + FR_TARGET[priority]
                res_due = created + RES_TARGET[priority]

                # The timeline: each step is a fraction of the time the ticket has lived so far.
                if status in (STATUS_RESOLVED, STATUS_CLOSED):
                    hours = rng.lognormvariate(2.0 + tier * 0.6, 1.0)
                    # A closed ticket was resolved at least AUTO_CLOSE_AFTER before now.
                    room = now - created - (AUTO_CLOSE_AFTER if status == STATUS_CLOSED else timedelta(0))
                    life = min(timedelta(hours=hours), room * 0.9)
                else:
                    life = (now - created) * 0.9
                ev: list[tuple] = []  # (kind, actor, field, old, new, when, message id or None)
                ms: list[tuple] = []
                version = 1
                ev.append(("created", requester, "", "", channel, created, None))
                first_response_at = resolved_at = closed_at = sla_paused_at = None
                resolved_by = resolved_tier = None
                public_replies = followups = reopens = 0
                resolution = ""
                if status != STATUS_NEW:
                    marks = sorted(rand() for _ in range(6))
                    at = [created + life * m for m in marks]
                    reply_at = at[0]
                    first_response_at = reply_at
                    public_replies = 1
                    ms.append((message_id, t1_agent, scenario.reply, False, True, "web", reply_at))
                    ev.append(("status", t1_agent, "status", "new", "open", reply_at, None))
                    ev.append(("message", t1_agent, "", "", "", reply_at, message_id))
                    message_id += 1
                    if rand() < 0.6:
                        ms.append((message_id, requester, scenario.followup, False, False, channel, at[1]))
                        ev.append(("message", requester, "", "", "", at[1], message_id))
                        message_id += 1
                        followups = 1
                    if tier > 1:
                        ms.append((message_id, t1_agent, scenario.note, True, True, "web", at[2]))
                        ev.append(("note", t1_agent, "", "", "", at[2], message_id))
                        message_id += 1
                        ev.append(("escalated", t1_agent, "tier", "1", "2", at[2], None))
                        if tier == 3:
                            ev.append(
                                (
                                    "escalated",
                                    self._agent(self.routes[(category_id, 2)]),
                                    "tier",
                                    "2",
                                    "3",
                                    at[3],
                                    None,
                                )
                            )
                    if status == STATUS_PENDING:
                        sla_paused_at = at[4]
                        ev.append(("status", assignee, "status", "open", "pending", at[4], None))
                    elif status in (STATUS_RESOLVED, STATUS_CLOSED):
                        resolved_at, resolved_by, resolved_tier = at[5], assignee, tier
                        resolution = scenario.resolution
                        if rand() < 0.7:  # the solution, told to the customer
                            ms.append(
                                (message_id, assignee, scenario.resolution, False, True, "web", resolved_at)
                            )
                            ev.append(("message", assignee, "", "", "", resolved_at, message_id))
                            message_id += 1
                            public_replies += 1
                        if rand() < 0.04:  # reopened once by the customer, then solved again
                            reopened = at[4]
                            ev.append(("resolved", assignee, "status", "open", "resolved", at[3], None))
                            ev.append(("reopened", requester, "status", "resolved", "open", reopened, None))
                            reopens = 1
                        ev.append(("resolved", assignee, "status", "open", "resolved", resolved_at, None))
                        if status == STATUS_CLOSED:
                            closed_at = resolved_at + AUTO_CLOSE_AFTER
                            ev.append(("closed", None, "status", "resolved", "closed", closed_at, None))
                version = len(ev)
                updated = ev[-1][5]
                if status in (STATUS_RESOLVED, STATUS_CLOSED):
                    met = resolved_at <= res_due and first_response_at <= fr_due
                    sla_state = "ok" if met else "breached"
                elif status == STATUS_PENDING:
                    sla_state = "paused"
                elif (
                    now > res_due
                    or (first_response_at is None and now > fr_due)
                    or (first_response_at is not None and first_response_at > fr_due)
                ):
                    sla_state = "breached"
                elif now > res_due - (res_due - created) * 0.25:
                    sla_state = "warning"
                else:
                    sla_state = "ok"
                tickets.append(
                    (
                        ticket_id,
                        scenario.subject,
                        scenario.description,
                        requester,
                        channel,
                        category_id,
                        impact,
                        urgency,
                        priority,
                        overridden,
                        status,
                        tier,
                        team,
                        assignee,
                        language,
                        created,
                        updated,
                        version,
                        fr_due,
                        res_due,
                        sla_state,
                        sla_paused_at,
                        first_response_at,
                        resolved_at,
                        closed_at,
                        resolved_by,
                        resolved_tier,
                        resolution,
                        tier - 1,
                        0,
                        reopens,
                        public_replies,
                        followups,
                        None,  # merged_into: the load data merges nothing
                    )
                )
                for mid, author, body, internal, by_agent, mchannel, when in ms:
                    messages.append(
                        (mid, ticket_id, author, body, internal, by_agent, mchannel, when, "", "")
                    )
                for v, (kind, actor, field, old, new, when, mid) in enumerate(ev, start=1):
                    data = f'{{"message": {mid}, "version": {v}}}' if mid else f'{{"version": {v}}}'
                    events.append((event_id, ticket_id, kind, actor, field, old, new, data, when))
                    event_id += 1
                ticket_id += 1
            done += n
            yield tickets, messages, events

    def _agent(self, team_id: int | None) -> int:
        agents = self.agents_by_team.get(team_id) or self.all_agents
        return agents[int(self.rng.random() * len(agents))]


class Command(BaseCommand):
    help = "Adds N realistic tickets (with users, messages and events) fast: COPY on PostgreSQL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=10_000)
        parser.add_argument("--days", type=int, default=365, help="spread created_at over this many days")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")

    def handle(self, *args: object, **options: object) -> None:
        count = int(options["tickets"])  # type: ignore[arg-type]
        days = int(options["days"])  # type: ignore[arg-type]
        rng = random.Random(int(options["seed"]))  # type: ignore[arg-type]
        started = time.monotonic()
        postgres = connection.vendor == "postgresql"

        org = org_ensure()
        categories = {c.name: c.pk for c in Category.objects.all()}
        routes: dict[tuple[int | None, int], int | None] = {}
        for cat in [None, *Category.objects.all()]:
            for tier in (1, 2, 3):
                team = route_team(category=cat, tier=tier)
                routes[(cat.pk if cat else None, tier)] = team.pk if team else None

        with transaction.atomic():
            loader = _PostgresLoader(self) if postgres else _BulkLoader(self)
            loader.prepare()
            customers, agents_by_team = self._users(loader, count, rng, org_teams=list(org.teams.values()))
            generator = Generator(
                rng=rng,
                now=timezone.now(),
                days=days,
                customers=customers,
                agents_by_team=agents_by_team,
                routes=routes,
                categories=categories,
                next_ids={
                    "ticket": _next_id(Ticket),
                    "message": _next_id(Message),
                    "event": _next_id(TicketEvent),
                },
            )
            loader.first_ticket_id = generator.next_ids["ticket"]
            totals = {"tickets": 0, "messages": 0, "events": 0}
            for tickets, messages, events in generator.tickets(count):
                loader.load(Ticket, TICKET_COLS, tickets)
                loader.load(Message, MESSAGE_COLS, messages)
                loader.load(TicketEvent, EVENT_COLS, events)
                totals["tickets"] += len(tickets)
                totals["messages"] += len(messages)
                totals["events"] += len(events)
                self.stdout.write(
                    f"  {totals['tickets']:>9,} tickets  {totals['messages']:>10,} messages  "
                    f"{totals['events']:>10,} events   {time.monotonic() - started:6.1f} s"
                )
            loader.finish()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {totals['tickets']:,} tickets, {totals['messages']:,} messages, {totals['events']:,} events, "
                f"{len(customers):,} customers, {sum(len(a) for a in agents_by_team.values()):,} agents "
                f"in {time.monotonic() - started:.1f} s (password of the new users: {LOAD_PASSWORD})."
            )
        )

    def _users(
        self, loader: _Loader, count: int, rng: random.Random, org_teams: list[Team]
    ) -> tuple[list[tuple[int, str]], dict[int, list[int]]]:
        """New customers (~1 per 20 tickets) and agents (~1 per 5,000 tickets, at least one per team)."""
        password = make_password(LOAD_PASSWORD)
        now = timezone.now()
        uid = _next_id(User)
        rows, customers, agents_by_team, memberships = [], [], {}, []
        n_customers = max(5, count // 20)
        n_agents = max(len(org_teams), count // 5000)
        # Tier 1 takes most of the work: half the agents, then tier 2 (~35 %) and tier 3.
        weights = [
            {1: 50, 2: 35, 3: 15}[t.tier] / sum(1 for o in org_teams if o.tier == t.tier) for t in org_teams
        ]
        agent_teams = list(org_teams) + rng.choices(org_teams, weights=weights, k=n_agents - len(org_teams))
        for k in range(n_customers + n_agents):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            is_agent = k >= n_customers
            language = "de" if rng.random() < 0.6 else "en"
            username = f"{first}.{last}.{uid}".lower().translate(_ASCII)
            rows.append(
                (
                    uid,
                    password,
                    None,
                    False,
                    username,
                    first,
                    last,
                    f"{username}@example.com",
                    False,
                    True,
                    now,
                    "agent" if is_agent else "customer",
                    language,
                    True,
                    True,
                )
            )
            if is_agent:
                team = agent_teams[k - n_customers]
                agents_by_team.setdefault(team.pk, []).append(uid)
                memberships.append((uid, team.pk))
            else:
                customers.append((uid, language))
            uid += 1
        loader.load(User, USER_COLS, rows)
        loader.load(User.teams.through, ["user_id", "team_id"], memberships, ids=False)
        return customers, agents_by_team


def _next_id(model: type) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _defaults_of_other_columns(model: type, cols: list[str]) -> list[tuple[str, object]]:
    """(column, value) for each column the generator does not write: the field's default."""
    out = []
    for f in model._meta.concrete_fields:
        if f.column in cols or f.primary_key or getattr(f, "generated", False):
            continue
        if getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
            continue  # the database fills it
        out.append((f.column, f.get_db_prep_save(f.get_default(), connection)))
    return out


class _Loader:
    def __init__(self, command: BaseCommand) -> None:
        self.command = command
        self.models: set[type] = set()
        self.first_ticket_id = 1

    def prepare(self) -> None: ...

    def load(self, model: type, cols: list[str], rows: list[tuple], ids: bool = True) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        # Ids were given explicitly: move the sequences past them.
        sql = connection.ops.sequence_reset_sql(no_style(), list(self.models))
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


class _BulkLoader(_Loader):
    """SQLite and anything else: bulk_create in batches."""

    def load(self, model: type, cols: list[str], rows: list[tuple], ids: bool = True) -> None:
        self.models.add(model)
        objs = [model(**dict(zip(cols, row, strict=True))) for row in rows]
        if model is TicketEvent:
            for obj in objs:
                obj.data = json.loads(obj.data)  # the rows carry the JSON text that COPY takes
        model.objects.bulk_create(objs, batch_size=500)


class _PostgresLoader(_Loader):
    """COPY into the tables with their secondary indexes and foreign keys dropped, then rebuild them.

    The search documents' triggers (migration 0004) are off meanwhile: the documents of the new
    tickets are made at the end in one set-based INSERT (``tickets_search_fill``), before their index.
    """

    BIG = (Ticket, Message, TicketEvent, TicketSearch)

    def prepare(self) -> None:
        self.indexes: list[str] = []
        self.constraints: list[tuple[str, str, str]] = []
        with connection.cursor() as cursor:
            # Check deferred constraints of earlier writes in this transaction now: ALTER TABLE refuses
            # to run on a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # Only the search triggers: the others (e.g. the reporting rollup's) see the COPY.
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE 'tickets\\_search\\_%%'"
            )
            self.search_triggers = cursor.fetchall()
            for table, trigger in self.search_triggers:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
            for model in self.BIG:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    self.constraints.append((table, name, definition))
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                # Indexes that no constraint owns (the primary key stays: ids arrive in order).
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "WHERE i.indrelid = %s::regclass "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    self.indexes.append(definition)
                    cursor.execute(f"DROP INDEX {name}")

    def load(self, model: type, cols: list[str], rows: list[tuple], ids: bool = True) -> None:
        self.models.add(model)
        table = model._meta.db_table
        missing = _defaults_of_other_columns(model, cols)
        if missing:
            # Columns that other apps added: their defaults, as the ORM would have written them.
            cols = [*cols, *(column for column, _ in missing)]
            tail = tuple(value for _, value in missing)
            rows = [row + tail for row in rows]
        columns = ", ".join(f'"{c}"' for c in cols)
        connection.ensure_connection()
        with (
            connection.connection.cursor() as raw,
            raw.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def finish(self) -> None:
        out = self.command.stdout
        with connection.cursor() as cursor:
            if self.search_triggers:
                t = time.monotonic()
                cursor.execute("SELECT tickets_search_fill(%s)", [self.first_ticket_id])
                out.write(f"  search documents: {cursor.fetchone()[0]:,} ({time.monotonic() - t:.1f} s)")
                for table, trigger in self.search_triggers:
                    cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')
            for definition in self.indexes:
                t = time.monotonic()
                cursor.execute(definition)
                out.write(f"  rebuilt: {definition[:100]}  ({time.monotonic() - t:.1f} s)")
            t = time.monotonic()
            for table, name, definition in self.constraints:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            out.write(f"  foreign keys added and checked ({time.monotonic() - t:.1f} s)")
            t = time.monotonic()
            for model in (*self.BIG, User):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
            out.write(f"  tables analysed ({time.monotonic() - t:.1f} s)")
        super().finish()
