"""The engine: records from a source, mapped and written through the other apps' paths.

Kinds are imported in dependency order (teams, users, tickets with their messages and attachments,
knowledge-base categories and articles), streamed from the source and written in batches of whole
tickets, one transaction per batch: a crash loses at most the batch in flight, never part of a
ticket, and the next run skips what is already there (``ImportedRecord`` and its fingerprint), so
it continues at the ticket it stopped at. A batch that fails is retried ticket by ticket, so one
broken ticket is reported and skipped without taking its neighbours along.

Silent: everything runs inside ``tickets.events.history_replay`` and the tickets' rows (tickets,
messages, events, attachments) go in through the bulk path (``bulk_create``, like ``seed_load``),
which sends no ``event_recorded`` at all: no notification, webhook, automation rule, routing or
SLA clock reacts to the past. Imported tickets carry no SLA due times (their past ran under another
system's targets), so they stay out of the SLA compliance figures and the sweep never sees them.
The search documents are kept by the database triggers; the metrics' summary rows of the imported
days are folded at the end (``reporting.rollup.rollup_refresh``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import get_valid_filename, slugify

from accounts.models import Team, User
from tickets.events import history_replay
from tickets.models import (
    Attachment,
    Category,
    Message,
    Tag,
    Ticket,
    TicketEvent,
    attachment_upload_to,
    reference_for,
)
from tickets.services import PRIORITY_MATRIX, route_team

from . import replay
from .lookup import ticket_by_original_number  # noqa: F401  -- its home is importers.lookup
from .mapping import Mapping
from .models import ImportedRecord, ImportRun
from .records import (
    AttachmentRecord,
    KBArticleRecord,
    KBCategoryRecord,
    MessageRecord,
    TeamRecord,
    TicketRecord,
    UserRecord,
)
from .sources.base import Source

logger = logging.getLogger(__name__)

Kind = ImportedRecord.Kind
BATCH_TICKETS = 250
BATCH_USERS = 500
SAMPLE_SIZE = 10
# Skipped rows kept in the report by name (the counts per reason are always complete).
SKIPPED_KEPT = 500
# A time further in the future than this is a bad date, not a plan.
FUTURE_SLACK = timedelta(days=1)


class Skip(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


@dataclass
class Report:
    """What a run did; JSON-able (``as_dict``) for ``ImportRun.report`` and printed by the command."""

    source: str = ""
    dry_run: bool = False
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    reasons: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    skipped: list[dict[str, str]] = field(default_factory=list)
    unmapped: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    warnings: Counter = field(default_factory=Counter)
    sample: list[dict[str, Any]] = field(default_factory=list)
    days_rebuilt: int = 0

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts[kind][outcome] += n

    def skip(self, kind: str, source_id: str, reason: str, detail: str = "") -> None:
        self.counts[kind]["skipped"] += 1
        self.reasons[kind][reason] += 1
        if len(self.skipped) < SKIPPED_KEPT:
            self.skipped.append(
                {"kind": str(kind), "source_id": str(source_id), "reason": reason, "detail": detail[:300]}
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "counts": {k: dict(v) for k, v in self.counts.items()},
            "reasons": {k: dict(v) for k, v in self.reasons.items()},
            "skipped": self.skipped,
            "unmapped": {k: dict(v) for k, v in self.unmapped.items()},
            "warnings": dict(self.warnings),
            "sample": self.sample,
            "days_rebuilt": self.days_rebuilt,
        }

    def text(self) -> str:
        lines = [f"Import from {self.source}" + (" (dry run: nothing written)" if self.dry_run else "")]
        for kind in [k.value for k in Kind]:
            c = self.counts.get(kind)
            if not c:
                continue
            parts = ", ".join(f"{n} {o}" for o, n in sorted(c.items()))
            lines.append(f"  {kind}: {parts}")
            for reason, n in sorted(self.reasons.get(kind, {}).items()):
                lines.append(f"      skipped {n} × {reason}")
        if self.unmapped:
            lines.append("Unmapped values (defaults used; add them to the mapping file):")
            for what, values in sorted(self.unmapped.items()):
                lines.append(f"  {what}: " + ", ".join(f"{v!r} ({n})" for v, n in values.most_common(20)))
        if self.warnings:
            lines.append("Warnings: " + ", ".join(f"{n} × {w}" for w, n in sorted(self.warnings.items())))
        if self.skipped:
            lines.append("Skipped rows (first ones):")
            lines += [
                f"  {s['kind']} {s['source_id']}: {s['reason']}"
                + (f" ({s['detail']})" if s["detail"] else "")
                for s in self.skipped[:30]
            ]
        if self.sample:
            lines.append("Sample of imported tickets to check by hand:")
            lines += [
                f"  {s['reference']} (was {s['number']}): {s['subject']} [{s['status']}, "
                f"{s['messages']} messages, created {s['created_at']}]"
                for s in self.sample
            ]
        if self.days_rebuilt:
            lines.append(f"Metrics: summary rows of {self.days_rebuilt} days rebuilt.")
        return "\n".join(lines)


def fingerprint(record: Any) -> str:
    """A stable hash of a record as the source gave it (callables, e.g. attachment readers, left out)."""

    def clean(value: Any) -> Any:
        # what dataclasses.asdict() and then this gave, without asdict's deep copies (hot in big imports)
        if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
            return {k: clean(v) for k in value.__dataclass_fields__ if not callable(v := getattr(value, k))}
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not callable(v)}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if isinstance(value, datetime):
            return value.isoformat()
        return value if value is None or isinstance(value, str | int | float | bool) else str(value)

    data = clean(record)
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


_TAG_RE = re.compile(r"<[^>]+>")
_BLOCK_RE = re.compile(r"</?(p|div|br|li|tr|h[1-6])\b[^>]*>", re.IGNORECASE)


def html_to_text(html: str) -> str:
    text = _BLOCK_RE.sub("\n", html)
    text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.IGNORECASE | re.DOTALL)
    text = unescape(_TAG_RE.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def bad_text(value: str) -> bool:
    """Text that did not decode (lone surrogates from ``errors="surrogateescape"``) or holds NULs."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


def tag_name(text: str) -> str:
    return slugify(str(text), allow_unicode=True)[:50].strip("-")


def _message_row(ticket: Ticket, m: dict[str, Any]) -> Message:
    """An imported message of ``ticket`` (a planned message: author, body, flags, time), not saved."""
    return Message(
        ticket=ticket,
        author_id=m["author"],
        body=m["body"],
        internal=m["internal"],
        by_agent=m["by_agent"],
        system=m["system"],
        channel=ticket.channel,
        created_at=m["at"],
    )


@dataclass
class _UserRef:
    pk: int
    is_agent: bool
    company: str = ""


@dataclass
class _TicketPlan:
    record: TicketRecord
    fingerprint: str
    existing: ImportedRecord | None
    fields: dict[str, Any]
    tags: list[str]
    messages: list[
        dict[str, Any]
    ]  # {"source_id", "author", "by_agent", "system", "body", "internal", "at", "attachments"}
    outcome: replay.Outcome
    pk: int | None = None


# Fields whose Python values psycopg sends as they are: no Django conversion per value (hot in COPY).
_PLAIN_FIELDS = (models.CharField, models.TextField, models.BooleanField, models.IntegerField)


def _copy_converter(f: Any) -> Callable[[Any], Any] | None:
    """How a field's value goes into COPY on PostgreSQL: as it is (None), as JSON text, or through
    Django's own conversion (any other field)."""
    real = connections[DEFAULT_DB_ALIAS]
    if isinstance(f, models.JSONField):
        encoder = f.encoder
        return lambda v: None if v is None else json.dumps(v, cls=encoder)
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    if isinstance(target, _PLAIN_FIELDS):  # AutoField and BigAutoField are IntegerFields
        return None
    if isinstance(f, models.DateTimeField):
        return lambda v: v if v is None or v.tzinfo is not None else f.get_db_prep_save(v, real)
    return lambda v: f.get_db_prep_save(v, real)


def bulk_insert(model: Any, objs: list[Any]) -> None:
    """Insert these new rows, setting their ids: on PostgreSQL the ids are taken from the table's
    sequence in one query and the rows sent with COPY (the triggers fire as for an INSERT), several
    times faster than ``bulk_create``'s parameter lists for the hundreds of thousands of rows a big
    import writes; elsewhere ``bulk_create``. Rows that already have an id keep it."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000)
        return
    meta = model._meta
    missing = [o for o in objs if o.pk is None]
    with connection.cursor() as cursor:
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
        fields = list(meta.concrete_fields)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        convert = [(f.attname, _copy_converter(f)) for f in fields]
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        ) as copy:
            for obj in objs:
                values = obj.__dict__
                copy.write_row([c(values[name]) if c else values[name] for name, c in convert])
    for obj in objs:
        obj._state.adding, obj._state.db = False, "default"


class Importer:
    def __init__(
        self,
        source: Source,
        mapping: Mapping | None = None,
        *,
        dry_run: bool = False,
        since: datetime | None = None,
        by: Any = None,
        run: ImportRun | None = None,
        batch_size: int = BATCH_TICKETS,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.source = source
        self.key = source.key[:200]
        self.mapping = mapping or Mapping.defaults(source.describe_values())
        self.dry_run = dry_run
        self.since = aware(since)
        self.by = by
        self.run = run
        self.batch_size = batch_size
        self.progress = progress
        self.report = Report(source=source.name, dry_run=dry_run)
        self.users: dict[str, _UserRef] = {}
        self._organisations: dict[str, Any] = {}  # by name: the organisations customers' companies became
        self.team_names: dict[str, str] = {}  # team source id → its name (for queue mapping)
        self.teams: dict[str, Team | None] = {}  # our team name → team
        self.categories: dict[str, Category | None] = {}
        self.kb_categories: dict[str, int] = {}
        self.tickets_done = 0
        self.max_attachment = settings.HELPDESK_MAX_ATTACHMENT_BYTES
        self.max_body = settings.HELPDESK_MAX_BODY_CHARS
        self.days: set = set()

    # --- the run -------------------------------------------------------------------------------

    def run_all(self) -> Report:
        with history_replay():
            self.import_teams()
            self.import_users()
            self.import_tickets()
            self.import_kb_categories()
            self.import_kb_articles()
        if not self.dry_run:
            self.rebuild_metrics()
        return self.report

    def _records(self, kind: str, source_id: Iterable[str]) -> dict[str, ImportedRecord]:
        return {
            r.source_id: r
            for r in ImportedRecord.objects.filter(
                source_key=self.key, kind=kind, source_id__in=[str(s) for s in source_id]
            )
        }

    def _unmapped(self, what: str, value: str) -> None:
        self.report.unmapped[what][str(value)] += 1

    # --- teams -----------------------------------------------------------------------------------

    def _team(self, name: str, tier: int) -> Team | None:
        if name not in self.teams:
            team = Team.objects.filter(name=name).first()
            if team is None and not self.dry_run:
                team = Team.objects.create(name=name[:100], tier=tier)
            self.teams[name] = team
        return self.teams[name]

    def _queue_target(self, queue_name: str) -> tuple[str, int] | None:
        if not queue_name:
            return None
        target = self.mapping.queues.get(queue_name)
        if target is None:
            self._unmapped("queues", queue_name)
            return None
        return target["team"], int(target.get("tier") or self.mapping.default_tier)

    def import_teams(self) -> None:
        for batch in chunks(self.source.teams(), BATCH_USERS):
            existing = self._records(Kind.TEAM, [r.source_id for r in batch])
            new_rows = []
            for rec in batch:
                rec: TeamRecord
                self.team_names[str(rec.source_id)] = rec.name
                if rec.problems:
                    self.report.skip(Kind.TEAM, rec.source_id, rec.problems[0].reason, rec.problems[0].detail)
                    continue
                target = self._queue_target(rec.name) or (rec.name[:100], self.mapping.default_tier)
                fp = fingerprint(rec)
                ex = existing.get(str(rec.source_id))
                if ex and ex.fingerprint == fp:
                    self.report.count(Kind.TEAM, "unchanged")
                    continue
                team = self._team(*target)
                if self.dry_run:
                    self.report.count(Kind.TEAM, "updated" if ex else "imported")
                    continue
                if ex:
                    ex.fingerprint, ex.object_id = fp, team.pk
                    ex.save(update_fields=["fingerprint", "object_id"])
                    self.report.count(Kind.TEAM, "updated")
                else:
                    new_rows.append(
                        ImportedRecord(
                            source_key=self.key,
                            kind=Kind.TEAM,
                            source_id=str(rec.source_id),
                            object_id=team.pk,
                            fingerprint=fp,
                        )
                    )
                    self.report.count(Kind.TEAM, "imported")
            ImportedRecord.objects.bulk_create(new_rows)

    # --- users -----------------------------------------------------------------------------------

    def import_users(self) -> None:
        for batch in chunks(self.source.users(), BATCH_USERS):
            with transaction.atomic():
                self._user_batch(batch)

    def _user_batch(self, batch: list[UserRecord]) -> None:
        existing = self._records(Kind.USER, [r.source_id for r in batch])
        known = {u.pk: u for u in User.objects.filter(pk__in=[r.object_id for r in existing.values()])}
        emails = {(r.email or "").strip().lower() for r in batch if r.email}
        by_email: dict[str, User] = {}
        if emails:
            for u in User.objects.filter(email__in=emails).order_by("pk"):
                by_email.setdefault(u.email.lower(), u)
        new_records: list[ImportedRecord] = []
        # New users are inserted together after the loop (one query, not one per user).
        pending: list[tuple[User, str, str, str]] = []  # (user, source id, fingerprint, company)
        self._taken_usernames = self._usernames_taken(batch)
        for rec in batch:
            sid = str(rec.source_id)
            if rec.problems:
                self.report.skip(Kind.USER, sid, rec.problems[0].reason, rec.problems[0].detail)
                continue
            email = (rec.email or "").strip().lower()
            if any(bad_text(v) for v in (email, rec.name, rec.first_name, rec.last_name, rec.company)):
                self.report.skip(Kind.USER, sid, "bad_encoding")
                continue
            if email and not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
                self.report.skip(Kind.USER, sid, "bad_email", email)
                continue
            if not email and not (rec.name or rec.username or rec.first_name):
                self.report.skip(Kind.USER, sid, "missing_email")
                continue
            role = rec.role if rec.role in User.Role.values else User.Role.CUSTOMER
            if rec.role not in User.Role.values:
                self._unmapped("roles", rec.role)
            fp = fingerprint(rec)
            ex = existing.get(sid)
            user = known.get(ex.object_id) if ex else None
            if user is not None and ex.fingerprint == fp:
                self.users[sid] = _UserRef(user.pk, user.is_agent, rec.company)
                self.report.count(Kind.USER, "unchanged")
                continue
            if self.dry_run:
                self.users[sid] = _UserRef(0, role != User.Role.CUSTOMER, rec.company)
                self.report.count(Kind.USER, "updated" if user else "imported")
                continue
            first, last = rec.first_name, rec.last_name
            if not (first or last) and rec.name:
                first, _sep, last = rec.name.strip().partition(" ")
            outcome = "updated" if user else "imported"
            if user is None:
                user = by_email.get(email) if email else None
                if user is not None:
                    outcome = "linked"
            if user is None:
                user = User(
                    username=self._free_username(rec.username or email.split("@")[0] or rec.name),
                    email=email,
                    first_name=first[:150],
                    last_name=last[:150],
                    role=role,
                    language=rec.language if rec.language in dict(settings.LANGUAGES) else "",
                    is_active=rec.active,
                    date_joined=aware(rec.created_at) or timezone.now(),
                )
                user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(
                    30
                )  # as set_unusable_password, cheaper
                if email:
                    by_email[email] = user
                if ex is None and not (role != User.Role.CUSTOMER and rec.team_source_ids):
                    pending.append((user, sid, fp, rec.company))
                    self.report.count(Kind.USER, outcome)
                    continue
                user.save()
            else:
                if user.pk is None:  # a new user of this batch, not inserted yet: now
                    self._flush_users(pending, new_records)
                changed = []
                if first and not user.first_name:
                    user.first_name, user.last_name = first[:150], last[:150]
                    changed += ["first_name", "last_name"]
                # Never take rights away from a user who exists here; an agent there is an agent here.
                if role != User.Role.CUSTOMER and user.role == User.Role.CUSTOMER:
                    user.role = role
                    changed.append("role")
                if changed:
                    user.save(update_fields=changed)
            if role != User.Role.CUSTOMER and rec.team_source_ids:
                teams = [
                    self._team(*(self._queue_target(self.team_names[t]) or (self.team_names[t], 1)))
                    for t in rec.team_source_ids
                    if t in self.team_names
                ]
                user.teams.add(*[t for t in teams if t is not None])
            self.users[sid] = _UserRef(user.pk, user.is_agent, rec.company)
            if ex:
                ex.object_id, ex.fingerprint = user.pk, fp
                ex.data = {"company": rec.company}
                ex.save(update_fields=["object_id", "fingerprint", "data"])
            else:
                new_records.append(self._user_record(sid, user.pk, fp, rec.company))
            self.report.count(Kind.USER, outcome)
        self._flush_users(pending, new_records)
        ImportedRecord.objects.bulk_create(new_records)
        self._taken_usernames = None
        if not self.dry_run:
            refs = [(self.users.get(str(r.source_id)), r.company) for r in batch if r.company]
            self._join_organisations([(ref, name) for ref, name in refs if ref is not None])

    def _join_organisations(self, pairs: list[tuple[_UserRef, str]]) -> None:
        """A customer's company becomes their organisation (found by name, else made), which they join
        through the organisations' own service (their first becomes their primary one; domains, SLA and
        sharing stay as the supervisors set them). Agents' companies are not organisations."""
        from organisations import services as org_services
        from organisations.models import Membership, Organisation

        pairs = [
            (ref, name.strip()[:200]) for ref, name in pairs if ref.pk and not ref.is_agent and name.strip()
        ]
        if not pairs:
            return
        names = {name for _ref, name in pairs}
        orgs = self._organisations
        for org in Organisation.objects.filter(name__in=names - orgs.keys()):
            orgs[org.name] = org
        joined = set(
            Membership.objects.filter(user_id__in=[ref.pk for ref, _n in pairs]).values_list(
                "user_id", "organisation__name"
            )
        )
        customers = {u.pk: u for u in User.objects.filter(pk__in=[ref.pk for ref, _n in pairs])}
        for ref, name in pairs:
            if name not in orgs:
                orgs[name] = org_services.organisation_save(name=name)
                self.report.count(Kind.ORGANISATION, "imported")
            if (ref.pk, name) not in joined and ref.pk in customers:
                org_services.member_add(organisation=orgs[name], user=customers[ref.pk])
                joined.add((ref.pk, name))

    def _flush_users(self, pending: list[tuple[User, str, str, str]], records: list[ImportedRecord]) -> None:
        User.objects.bulk_create([u for u, _sid, _fp, _company in pending], batch_size=1000)
        for user, sid, fp, company in pending:
            self.users[sid] = _UserRef(user.pk, user.is_agent, company)
            records.append(self._user_record(sid, user.pk, fp, company))
        pending.clear()

    def _user_record(self, sid: str, user_pk: int, fp: str, company: str) -> ImportedRecord:
        return ImportedRecord(
            source_key=self.key,
            kind=Kind.USER,
            source_id=sid,
            object_id=user_pk,
            fingerprint=fp,
            data={"company": company} if company else {},
        )

    @staticmethod
    def _username_base(base: str) -> str:
        return re.sub(r"[^\w.@+-]", "", base or "")[:140] or "user"

    def _usernames_taken(self, batch: list[UserRecord]) -> set[str]:
        """Of the usernames this batch would like, those taken (lower case): one query per batch."""
        wanted = {
            self._username_base(r.username or (r.email or "").strip().split("@")[0] or r.name).lower()
            for r in batch
        }
        return set(
            User.objects.annotate(lower=Lower("username"))
            .filter(lower__in=wanted)
            .values_list("lower", flat=True)
        )

    def _free_username(self, base: str) -> str:
        base = self._username_base(base)
        taken = getattr(self, "_taken_usernames", None)
        candidate = base
        while (
            candidate.lower() in taken
            if taken is not None
            else User.objects.filter(username__iexact=candidate).exists()
        ):
            candidate = f"{base}-{get_random_string(4).lower()}"
        if taken is not None:
            taken.add(candidate.lower())
        return candidate

    def _user(self, source_id: str | None) -> _UserRef | None:
        if source_id is None:
            return None
        sid = str(source_id)
        if sid not in self.users:
            rec = ImportedRecord.objects.filter(source_key=self.key, kind=Kind.USER, source_id=sid).first()
            user = User.objects.filter(pk=rec.object_id).first() if rec else None
            self.users[sid] = (
                _UserRef(user.pk, user.is_agent, rec.data.get("company", "")) if user else None  # type: ignore[assignment]
            )
        return self.users[sid]

    # --- tickets ---------------------------------------------------------------------------------

    def import_tickets(self) -> None:
        def with_messages() -> Iterator[TicketRecord]:
            for rec in self.source.tickets(since=self.since):
                if rec.messages is None:
                    rec.messages = list(self.source.messages(rec))
                yield rec

        for batch in chunks(with_messages(), self.batch_size):
            self._ticket_batch(batch)
            self.tickets_done += len(batch)
            if self.progress:
                self.progress(self.tickets_done)

    def _ticket_batch(self, batch: list[TicketRecord]) -> None:
        existing = self._records(Kind.TICKET, [r.source_id for r in batch])
        live = set(
            Ticket.objects.filter(pk__in=[r.object_id for r in existing.values()]).values_list(
                "pk", flat=True
            )
        )
        plans: list[_TicketPlan] = []
        seen: set[str] = set()
        for rec in batch:
            sid = str(rec.source_id)
            if sid in seen:
                self.report.skip(Kind.TICKET, sid, "duplicate_source_id")
                continue
            seen.add(sid)
            fp = fingerprint(rec)
            ex = existing.get(sid)
            if ex is not None and ex.object_id not in live:
                ex = None if self.dry_run else self._forget(ex)
            if ex is not None and ex.fingerprint == fp:
                self.report.count(Kind.TICKET, "unchanged")
                continue
            try:
                plans.append(self._plan(rec, fp, ex))
            except Skip as s:
                self.report.skip(Kind.TICKET, sid, s.reason, s.detail)
        if self.dry_run:
            for p in plans:
                self.report.count(Kind.TICKET, "updated" if p.existing else "imported")
                self.report.count(Kind.MESSAGE, "imported", len(p.messages))
            return
        try:
            with transaction.atomic():
                results = self._write_batch(plans)
        except Exception:  # noqa: BLE001 - one broken ticket must not take the batch along
            logger.warning("import batch failed; retrying ticket by ticket", exc_info=True)
            results = []
            for p in plans:
                try:
                    with transaction.atomic():
                        results.append(self._write(p))
                except Exception as exc:  # noqa: BLE001
                    logger.warning("import of ticket %s failed", p.record.source_id, exc_info=True)
                    self.report.skip(Kind.TICKET, p.record.source_id, "error", f"{type(exc).__name__}: {exc}")
        for plan, skipped in results:
            self.report.count(Kind.TICKET, "updated" if plan.existing else "imported")
            for kind, sid, reason, detail in skipped:
                self.report.skip(kind, sid, reason, detail)
            if len(self.report.sample) < SAMPLE_SIZE and not plan.existing:
                self.report.sample.append(
                    {
                        "pk": plan.pk,
                        "reference": reference_for(plan.pk),
                        "number": plan.record.number,
                        "subject": plan.fields["subject"],
                        "status": plan.outcome.status,
                        "messages": len(plan.messages),
                        "created_at": plan.fields["created_at"].isoformat(timespec="minutes"),
                    }
                )

    def _forget(self, ex: ImportedRecord) -> None:
        """The ticket it pointed at was deleted here: import it afresh."""
        ex.delete()
        return None

    def _state(self, value: str) -> str:
        mapped = self.mapping.states.get(str(value))
        if mapped is None:
            if self.mapping.default_state is None:
                raise Skip("unknown_state", str(value))
            self._unmapped("states", value)
            return self.mapping.default_state
        return mapped

    def _plan(self, rec: TicketRecord, fp: str, ex: ImportedRecord | None) -> _TicketPlan:
        if rec.problems:
            raise Skip(rec.problems[0].reason, rec.problems[0].detail)
        now = timezone.now()
        created = aware(rec.created_at)
        if created is None or created > now + FUTURE_SLACK:
            raise Skip("bad_date", f"created {rec.created_at!r}")
        for name in ("updated_at", "resolved_at", "closed_at"):
            value = aware(getattr(rec, name))
            if value is not None and (value > now + FUTURE_SLACK or value < created - timedelta(days=1)):
                raise Skip("bad_date", f"{name} {value.isoformat()}")
        if any(bad_text(v) for v in (rec.subject, rec.description, rec.number, rec.resolution)):
            raise Skip("bad_encoding")
        requester = self._user(rec.requester_source_id)
        if requester is None:
            raise Skip("missing_requester", str(rec.requester_source_id or ""))
        state = self._state(rec.state)
        priority = self.mapping.priorities.get(str(rec.priority)) if rec.priority not in ("", None) else None
        if priority is None:
            if rec.priority not in ("", None):
                self._unmapped("priorities", rec.priority)
            priority = self.mapping.default_priority
        queue_name = self.team_names.get(str(rec.queue_source_id), "") if rec.queue_source_id else rec.queue
        category = self._category(rec.category)
        target = self._queue_target(queue_name)
        tier = target[1] if target else self.mapping.default_tier
        team = self._team(*target) if target else route_team(category=category, tier=tier)
        if team is not None:
            tier = team.tier
        assignee = self._user(rec.assignee_source_id)
        assignee_id = assignee.pk if assignee and assignee.is_agent else None

        messages: list[dict[str, Any]] = []
        steps: list[replay.Step] = []
        description = rec.description
        for m in sorted(rec.messages or [], key=lambda m: aware(m.created_at) or created):
            planned = self._plan_message(m, created)
            if planned is None:
                continue
            if (
                not description.strip()
                and not messages
                and not planned["internal"]
                and not planned["by_agent"]
                and not planned["attachments"]
            ):
                description = planned["body"]  # the customer's first text is the request itself
                continue
            messages.append(planned)
            steps.append(
                replay.Step(
                    at=planned["at"],
                    actor=planned["author"],
                    actor_is_agent=planned["by_agent"],
                    message=len(messages) - 1,
                    internal=planned["internal"],
                    system=planned["system"],
                    state=self._state(m.new_state) if m.new_state not in (None, "") else None,
                )
            )
        for change in rec.state_changes:
            at = aware(change.at)
            if at is None:
                continue
            actor = self._user(change.by_source_id)
            steps.append(
                replay.Step(
                    at=at,
                    actor=actor.pk if actor else None,
                    actor_is_agent=bool(actor and actor.is_agent),
                    state=self._state(change.state),
                )
            )
        channel = rec.channel if rec.channel in Ticket.Channel.values else Ticket.Channel.WEB
        outcome = replay.play(
            created_at=created,
            requester=requester.pk,
            channel=channel,
            tier=tier,
            steps=steps,
            final_state=state,
            final_at=aware(rec.closed_at) or aware(rec.resolved_at) or aware(rec.updated_at),
            resolved_at=aware(rec.resolved_at),
            closed_counts_as_resolved=self.mapping.closed_counts_as_resolved,
        )
        tags = [tag_name(t) for t in rec.tags]
        for name, value in (rec.custom_fields or {}).items():
            how = self.mapping.custom_fields.get(str(name))
            if how is None:
                self._unmapped("custom_fields", name)
                how = "tag"
            if how == "tag" and value not in (None, "", [], False):
                tags.append(tag_name(f"{name}-{value}"))
        if requester.company:
            tags.append(tag_name(f"company-{requester.company}"))
        subject = " ".join((rec.subject or "").split())[:200] or "(no subject)"
        language = rec.language if rec.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        matrix_default = PRIORITY_MATRIX[("medium", "medium")]
        updated = max(aware(rec.updated_at) or created, outcome.last_at or created)
        fields = {
            "subject": subject,
            "description": (description.strip() or subject)[: self.max_body],
            "requester_id": requester.pk,
            "channel": channel,
            "category": category,
            "priority": priority,
            "priority_overridden": priority != matrix_default,
            "tier": tier,
            "team": team,
            "assignee_id": assignee_id,
            "language": language,
            "created_at": created,
            "updated_at": updated,
            "resolution": (rec.resolution or "").strip(),
            **outcome.fields(),
        }
        return _TicketPlan(
            record=rec,
            fingerprint=fp,
            existing=ex,
            fields=fields,
            tags=sorted({t for t in tags if t}),
            messages=messages,
            outcome=outcome,
        )

    def _category(self, name: str) -> Category | None:
        if not name:
            return None
        target = self.mapping.categories.get(name)
        if target is None:
            self._unmapped("categories", name)
            return None
        if target not in self.categories:
            category = Category.objects.filter(name=target).order_by("parent_id", "pk").first()
            if category is None and not self.dry_run:
                category = Category.objects.create(name=target[:120])
            self.categories[target] = category
        return self.categories[target]

    def _plan_message(self, m: MessageRecord, created: datetime) -> dict[str, Any] | None:
        if m.problems:
            self.report.skip(Kind.MESSAGE, m.source_id, m.problems[0].reason, m.problems[0].detail)
            return None
        at = aware(m.created_at)
        if at is None or at > timezone.now() + FUTURE_SLACK:
            self.report.skip(Kind.MESSAGE, m.source_id, "bad_date", repr(m.created_at))
            return None
        body = m.body_text if (m.body_text or "").strip() else html_to_text(m.body_html or "")
        if bad_text(body):
            self.report.skip(Kind.MESSAGE, m.source_id, "bad_encoding")
            return None
        if len(body) > self.max_body:
            body = body[: self.max_body]
            self.report.warnings["message_truncated"] += 1
        author = self._user(m.author_source_id)
        if m.author_source_id is not None and author is None:
            self.report.warnings["message_author_unknown"] += 1
        attachments = list(m.attachments)
        if not body.strip():
            if not attachments:
                self.report.skip(Kind.MESSAGE, m.source_id, "empty_message")
                return None
            body = ", ".join(a.filename for a in attachments)
        return {
            "source_id": str(m.source_id),
            "author": author.pk if author else None,
            "by_agent": bool(author and author.is_agent),
            "system": author is None,
            "body": body.strip(),
            "internal": bool(m.internal),
            "at": max(at, created),
            "attachments": attachments,
        }

    def _write(self, plan: _TicketPlan) -> tuple[_TicketPlan, list[tuple[str, str, str, str]]]:
        """One ticket's rows, inside the caller's transaction. Returns what of it was skipped."""
        skipped: list[tuple[str, str, str, str]] = []
        ex = plan.existing
        if ex is None:
            ticket = self._insert_ticket(plan)
            known_messages: set[str] = set()
            since = None
        else:
            ticket = Ticket.objects.select_for_update().get(pk=ex.object_id)
            for name, value in plan.fields.items():
                setattr(ticket, name, value)
            ticket.version += 1
            ticket.save()
            known_messages = set(ex.data.get("messages", []))
            since = datetime.fromisoformat(ex.data["last_at"]) if ex.data.get("last_at") else None
        plan.pk = ticket.pk
        if ex is None or plan.tags:
            ticket.tags.set(self._tags(plan.tags))

        new_messages = [(i, m) for i, m in enumerate(plan.messages) if m["source_id"] not in known_messages]
        rows = Message.objects.bulk_create(_message_row(ticket, m) for _i, m in new_messages)
        message_pk = {i: row.pk for (i, _m), row in zip(new_messages, rows, strict=True)}
        events: list[TicketEvent] = []
        for e in plan.outcome.events:
            if e.message is not None:
                if e.message not in message_pk:
                    continue
            elif since is not None and e.at <= since:
                continue  # recorded by the earlier run
            data: dict[str, Any] = {"imported": self.source.name, "version": ticket.version}
            if e.message is not None:
                data["message"] = message_pk[e.message]
            events.append(
                TicketEvent(
                    ticket=ticket,
                    kind=e.kind,
                    actor_id=e.actor,
                    field=e.field,
                    old_value=e.old,
                    new_value=e.new,
                    data=data,
                    created_at=e.at,
                )
            )
        attachments, attachment_events = [], []
        for i, m in new_messages:
            for a in m["attachments"]:
                made = self._attachment(ticket, m, message_pk[i], a, skipped)
                if made is not None:
                    attachments.append(made)
        Attachment.objects.bulk_create(attachments)
        for a in attachments:
            attachment_events.append(
                TicketEvent(
                    ticket=ticket,
                    kind=TicketEvent.Kind.ATTACHMENT,
                    actor_id=a.uploaded_by_id,
                    new_value="" if a.internal else a.filename,
                    data={"attachment": a.pk, "internal": a.internal, "imported": self.source.name},
                    created_at=a.created_at,
                )
            )
        TicketEvent.objects.bulk_create(sorted(events + attachment_events, key=lambda e: e.created_at))
        record_data = {
            "messages": sorted(known_messages | {m["source_id"] for _i, m in new_messages}),
            "last_at": (plan.outcome.last_at or plan.fields["created_at"]).isoformat(),
        }
        if ex is None:
            ImportedRecord.objects.create(
                source_key=self.key,
                kind=Kind.TICKET,
                source_id=str(plan.record.source_id),
                object_id=ticket.pk,
                fingerprint=plan.fingerprint,
                number=str(plan.record.number or "").strip().lstrip("#")[:64],
                data=record_data,
            )
        else:
            ex.fingerprint, ex.data = plan.fingerprint, record_data
            ex.number = str(plan.record.number or "").strip().lstrip("#")[:64]
            ex.save(update_fields=["fingerprint", "data", "number"])
        self.report.count(Kind.MESSAGE, "imported", len(new_messages))
        if attachments:
            self.report.count(Kind.ATTACHMENT, "imported", len(attachments))
        return plan, skipped

    def _write_batch(
        self, plans: list[_TicketPlan]
    ) -> list[tuple[_TicketPlan, list[tuple[str, str, str, str]]]]:
        """The batch's rows inside the caller's transaction: new tickets together, a bulk insert per
        table (a few queries for the whole batch, not a few per ticket); updates one by one."""
        new = [p for p in plans if p.existing is None]
        results = [self._write(p) for p in plans if p.existing is not None]
        if not new:
            return results
        tickets = self._insert_tickets(new)
        tag_names = sorted({n for p in new for n in p.tags})
        tags = {t.name: t for t in self._tags(tag_names)} if tag_names else {}
        through = Ticket.tags.through
        links = [
            through(ticket_id=t.pk, tag_id=tags[n].pk)
            for p, t in zip(new, tickets, strict=True)
            for n in p.tags
            if n in tags
        ]
        if links:
            through.objects.bulk_create(links, ignore_conflicts=True)
        message_rows = [_message_row(t, m) for p, t in zip(new, tickets, strict=True) for m in p.messages]
        bulk_insert(Message, message_rows)
        rows = iter(message_rows)
        events: list[TicketEvent] = []
        records: list[ImportedRecord] = []
        attachments_total = 0
        for p, t in zip(new, tickets, strict=True):
            skipped: list[tuple[str, str, str, str]] = []
            p.pk = t.pk
            message_pk = {i: next(rows).pk for i in range(len(p.messages))}
            ticket_events = [
                TicketEvent(
                    ticket=t,
                    kind=e.kind,
                    actor_id=e.actor,
                    field=e.field,
                    old_value=e.old,
                    new_value=e.new,
                    data={
                        "imported": self.source.name,
                        "version": t.version,
                        **({"message": message_pk[e.message]} if e.message is not None else {}),
                    },
                    created_at=e.at,
                )
                for e in p.outcome.events
                if e.message is None or e.message in message_pk
            ]
            attachments = [
                made
                for i, m in enumerate(p.messages)
                for a in m["attachments"]
                if (made := self._attachment(t, m, message_pk[i], a, skipped)) is not None
            ]
            if attachments:
                Attachment.objects.bulk_create(attachments)
                attachments_total += len(attachments)
                ticket_events += [
                    TicketEvent(
                        ticket=t,
                        kind=TicketEvent.Kind.ATTACHMENT,
                        actor_id=a.uploaded_by_id,
                        new_value="" if a.internal else a.filename,
                        data={"attachment": a.pk, "internal": a.internal, "imported": self.source.name},
                        created_at=a.created_at,
                    )
                    for a in attachments
                ]
            events += sorted(ticket_events, key=lambda e: e.created_at)
            records.append(
                ImportedRecord(
                    source_key=self.key,
                    kind=Kind.TICKET,
                    source_id=str(p.record.source_id),
                    object_id=t.pk,
                    fingerprint=p.fingerprint,
                    number=str(p.record.number or "").strip().lstrip("#")[:64],
                    data={
                        "messages": sorted(m["source_id"] for m in p.messages),
                        "last_at": (p.outcome.last_at or p.fields["created_at"]).isoformat(),
                    },
                )
            )
            results.append((p, skipped))
        bulk_insert(TicketEvent, events)
        bulk_insert(ImportedRecord, records)
        self.report.count(Kind.MESSAGE, "imported", len(message_rows))
        if attachments_total:
            self.report.count(Kind.ATTACHMENT, "imported", attachments_total)
        return results

    def _insert_tickets(self, plans: list[_TicketPlan]) -> list[Ticket]:
        """New tickets in one insert; those whose original number is a free id keep it as theirs."""
        tickets = [Ticket(**p.fields, version=max(1, len(p.outcome.events))) for p in plans]
        if self.mapping.keep_numbers:
            wanted: dict[int, Ticket] = {}
            for p, t in zip(plans, tickets, strict=True):
                number = str(p.record.number or "").strip().lstrip("#")
                if number.isdigit() and 0 < int(number) < 10**12:
                    wanted.setdefault(int(number), t)
            taken = set(Ticket.objects.filter(pk__in=list(wanted)).values_list("pk", flat=True))
            for number, t in wanted.items():
                if number not in taken:
                    t.pk = number
        kept = [t for t in tickets if t.pk is not None]
        if kept:  # the id sequence moved past them first, so the others' ids cannot collide
            self._sequence_past(max(t.pk for t in kept))
        bulk_insert(Ticket, tickets)
        return tickets

    def _insert_ticket(self, plan: _TicketPlan) -> Ticket:
        ticket = Ticket(**plan.fields, version=max(1, len(plan.outcome.events)))
        number = str(plan.record.number or "").strip().lstrip("#")
        if (
            self.mapping.keep_numbers
            and number.isdigit()
            and 0 < int(number) < 10**12
            and not Ticket.objects.filter(pk=int(number)).exists()
        ):
            ticket.pk = int(number)
            ticket.save(force_insert=True)
            self._sequence_past(ticket.pk)
        else:
            ticket.save(force_insert=True)
        return ticket

    def _sequence_past(self, pk: int) -> None:
        """A ticket inserted with its original number: the id sequence must not hand it out again."""
        if connection.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT continues after the largest id by itself
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
                "GREATEST(%s, (SELECT MAX(id) FROM tickets_ticket)))",
                [pk],
            )

    def _tags(self, names: list[str]) -> list[Tag]:
        if not names:
            return []
        have = {t.name: t for t in Tag.objects.filter(name__in=names)}
        missing = [Tag(name=n) for n in names if n not in have]
        if missing:
            Tag.objects.bulk_create(missing, ignore_conflicts=True)
            have = {t.name: t for t in Tag.objects.filter(name__in=names)}
        return list(have.values())

    def _attachment(
        self,
        ticket: Ticket,
        message: dict[str, Any],
        message_pk: int,
        a: AttachmentRecord,
        skipped: list[tuple[str, str, str, str]],
    ) -> Attachment | None:
        name = (
            get_valid_filename((a.filename or "file").replace("\\", "/").rsplit("/", 1)[-1])[:200] or "file"
        )
        if bad_text(a.filename or ""):
            skipped.append((Kind.ATTACHMENT, a.source_id, "bad_encoding", ""))
            return None
        if a.size is not None and a.size > self.max_attachment:
            skipped.append((Kind.ATTACHMENT, a.source_id, "oversized_attachment", f"{a.size} bytes"))
            return None
        if a.read is None:
            skipped.append((Kind.ATTACHMENT, a.source_id, "attachment_missing", name))
            return None
        try:
            content = a.read()
        except Exception as exc:  # noqa: BLE001 - a missing file is a skipped attachment, not a crash
            skipped.append((Kind.ATTACHMENT, a.source_id, "attachment_missing", f"{name}: {exc}"))
            return None
        if len(content) > self.max_attachment:
            skipped.append((Kind.ATTACHMENT, a.source_id, "oversized_attachment", f"{len(content)} bytes"))
            return None
        stored = default_storage.save(attachment_upload_to(None, name), ContentFile(content))  # type: ignore[arg-type]
        return Attachment(
            ticket=ticket,
            message_id=message_pk,
            file=stored,
            filename=name,
            content_type=(a.content_type or "application/octet-stream")[:100],
            size=len(content),
            internal=message["internal"],
            uploaded_by_id=message["author"],
            created_at=max(aware(a.created_at) or message["at"], message["at"]),
        )

    # --- knowledge base --------------------------------------------------------------------------

    def import_kb_categories(self) -> None:
        for rec in self.source.kb_categories():
            rec: KBCategoryRecord
            fp = fingerprint(rec)
            ex = self._records(Kind.KB_CATEGORY, [rec.source_id]).get(str(rec.source_id))
            if ex and ex.fingerprint == fp:
                self.kb_categories[str(rec.source_id)] = ex.object_id
                self.report.count(Kind.KB_CATEGORY, "unchanged")
                continue
            name = " ".join((rec.name or "").split())[:120]
            if not name or bad_text(name):
                self.report.skip(Kind.KB_CATEGORY, rec.source_id, "bad_name")
                continue
            target = self.mapping.categories.get(name, name)
            if self.dry_run:
                self.report.count(Kind.KB_CATEGORY, "updated" if ex else "imported")
                continue
            category = Category.objects.filter(name=target).order_by("parent_id", "pk").first()
            if category is None:
                category = Category.objects.create(name=target)
            self.kb_categories[str(rec.source_id)] = category.pk
            ImportedRecord.objects.update_or_create(
                source_key=self.key,
                kind=Kind.KB_CATEGORY,
                source_id=str(rec.source_id),
                defaults={"object_id": category.pk, "fingerprint": fp},
            )
            self.report.count(Kind.KB_CATEGORY, "updated" if ex else "imported")

    def import_kb_articles(self) -> None:
        from knowledgebase.models import Article
        from knowledgebase.services import article_create, article_update

        for rec in self.source.kb_articles():
            rec: KBArticleRecord
            sid = str(rec.source_id)
            fp = fingerprint(rec)
            ex = self._records(Kind.KB_ARTICLE, [sid]).get(sid)
            article = Article.objects.filter(pk=ex.object_id).first() if ex else None
            if article is not None and ex.fingerprint == fp:
                self.report.count(Kind.KB_ARTICLE, "unchanged")
                continue
            if rec.problems:
                self.report.skip(Kind.KB_ARTICLE, sid, rec.problems[0].reason, rec.problems[0].detail)
                continue
            title = " ".join((rec.title or "").split())[:200]
            if not title or bad_text(title) or bad_text(rec.body or ""):
                self.report.skip(Kind.KB_ARTICLE, sid, "bad_encoding" if title else "missing_title")
                continue
            language = (rec.language or "").lower()[:2]
            if language not in ("de", "en"):
                self._unmapped("kb_languages", rec.language)
                language = self.mapping.kb_language
            if self.by is None or not getattr(self.by, "is_agent", False):
                self.report.skip(Kind.KB_ARTICLE, sid, "no_author", "run the import as an agent (--as)")
                continue
            if self.dry_run:
                self.report.count(Kind.KB_ARTICLE, "updated" if article else "imported")
                continue
            category_pk = self.kb_categories.get(str(rec.category_source_id))
            categories = list(Category.objects.filter(pk=category_pk)) if category_pk else []
            fields = {
                "title": title,
                "body": (rec.body or "")[: self.max_body],
                "language": language,
                "visibility": Article.Visibility.PUBLIC if rec.public else Article.Visibility.INTERNAL,
                "status": Article.Status.PUBLISHED if rec.published else Article.Status.DRAFT,
            }
            tags = [tag_name(t) for t in rec.tags if tag_name(t)]
            with transaction.atomic():
                if article is None:
                    article = article_create(by=self.by, tags=tags, categories=categories, **fields)
                    outcome = "imported"
                else:
                    article = article_update(
                        article=article, by=self.by, tags=tags, categories=categories, **fields
                    )
                    outcome = "updated"
                created = aware(rec.created_at) or article.created_at
                Article.objects.filter(pk=article.pk).update(
                    created_at=created, updated_at=max(aware(rec.updated_at) or created, created)
                )
                ImportedRecord.objects.update_or_create(
                    source_key=self.key,
                    kind=Kind.KB_ARTICLE,
                    source_id=sid,
                    defaults={"object_id": article.pk, "fingerprint": fp},
                )
            self.report.count(Kind.KB_ARTICLE, outcome)

    # --- metrics ---------------------------------------------------------------------------------

    def rebuild_metrics(self) -> None:
        """Fold the days the import touched into the metrics' summary rows (the database triggers
        marked them stale as the rows went in)."""
        from reporting.rollup import rollup_refresh

        self.report.days_rebuilt = rollup_refresh()
