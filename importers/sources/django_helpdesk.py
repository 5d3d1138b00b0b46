"""``--from django-helpdesk``: its database (a DATABASE_URL: ``sqlite:///path`` or ``postgres://…``)
or its ``manage.py dumpdata`` JSON.

Read straight from django-helpdesk's tables (``helpdesk_queue``, ``helpdesk_ticket``,
``helpdesk_followup``, ``helpdesk_followupattachment``, ``helpdesk_kbcategory``, ``helpdesk_kbitem``,
custom fields, ``auth_user``), tickets in pages of ``PAGE`` with their follow-ups, attachments and
custom field values fetched per page, so memory stays flat however many tickets there are. A
dumpdata file is first streamed object by object into a temporary SQLite file with the same tables,
then read the same way.

What becomes what: queues → teams; staff users → agents (superusers → supervisors), other users and
submitter addresses without an account → customers; a ticket's submitter is its requester; a
follow-up without a user is the submitter's mail; ``public`` follow-ups are replies, the others
internal notes; a follow-up's ``new_status`` is a state change at its time (so resolutions and
reopenings happen when they happened); "on hold" reads as the state "On hold" (pending by default).
Attachments are read from ``--media`` (django-helpdesk's MEDIA_ROOT). The ticket id is the number
(mails say ``[queue-slug-123]``).

The source key is taken from the data (the secret key of its first ticket), so its database and
its dumpdata JSON are the same source: importing one after the other changes nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from importers.records import (
    AttachmentRecord,
    KBArticleRecord,
    KBCategoryRecord,
    MessageRecord,
    Problem,
    TeamRecord,
    TicketRecord,
    UserRecord,
)

from .base import BaseSource, SourceError, register

PAGE = 500
STATUS_LABELS = {1: "Open", 2: "Reopened", 3: "Resolved", 4: "Closed", 5: "Duplicate"}
ON_HOLD = "On hold"
PRIORITY_LABELS = {1: "1. Critical", 2: "2. High", 3: "3. Normal", 4: "4. Low", 5: "5. Very Low"}

# The tables read, with the columns used; a dumpdata file is loaded into exactly these.
TABLES: dict[str, tuple[str, list[str], set[str]]] = {
    # model label: (table, columns, foreign keys among them)
    "auth.user": (
        "auth_user",
        [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "is_staff",
            "is_superuser",
            "is_active",
            "date_joined",
        ],
        set(),
    ),
    "helpdesk.queue": ("helpdesk_queue", ["id", "title", "slug", "email_address", "locale"], set()),
    "helpdesk.ticket": (
        "helpdesk_ticket",
        [
            "id",
            "title",
            "queue",
            "created",
            "modified",
            "submitter_email",
            "assigned_to",
            "status",
            "on_hold",
            "description",
            "resolution",
            "priority",
            "secret_key",
        ],
        {"queue", "assigned_to"},
    ),
    "helpdesk.followup": (
        "helpdesk_followup",
        ["id", "ticket", "date", "title", "comment", "public", "user", "new_status"],
        {"ticket", "user"},
    ),
    "helpdesk.followupattachment": (
        "helpdesk_followupattachment",
        ["id", "followup", "file", "filename", "mime_type", "size"],
        {"followup"},
    ),
    "helpdesk.kbcategory": (
        "helpdesk_kbcategory",
        ["id", "name", "title", "slug", "description", "queue", "public"],
        {"queue"},
    ),
    "helpdesk.kbitem": (
        "helpdesk_kbitem",
        ["id", "category", "title", "question", "answer", "last_updated", "enabled"],
        {"category"},
    ),
    "helpdesk.customfield": ("helpdesk_customfield", ["id", "name", "label"], set()),
    "helpdesk.ticketcustomfieldvalue": (
        "helpdesk_ticketcustomfieldvalue",
        ["id", "ticket", "field", "value"],
        {"ticket", "field"},
    ),
}


def _column(name: str, fks: set[str]) -> str:
    return f"{name}_id" if name in fks else name


def parse_time(value: Any) -> datetime | None:
    """django-helpdesk's times: datetimes (PostgreSQL), SQLite's text, dumpdata's ISO with "Z"."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip().replace("Z", "+00:00")
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _Db:
    """Rows as dicts from SQLite or PostgreSQL; queries are written with ``%s`` placeholders."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.vendor = "sqlite" if parsed.scheme == "sqlite" else "postgresql"
        if self.vendor == "sqlite":
            path = url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else parsed.path
            path = "/" + path.lstrip("/") if url.startswith("sqlite:////") else path
            if not Path(path).is_file():
                raise SourceError(f"No such SQLite database: {path}")
            self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            self.conn.row_factory = sqlite3.Row
        elif parsed.scheme in ("postgres", "postgresql", "pgsql"):
            import psycopg
            from psycopg.rows import dict_row

            try:
                self.conn = psycopg.connect(url, row_factory=dict_row, autocommit=False)
            except psycopg.Error as exc:
                raise SourceError(f"Cannot connect to the django-helpdesk database: {exc}") from None
        else:
            raise SourceError(f"Unsupported database URL {parsed.scheme}:// (use sqlite:/// or postgres://)")
        self._cursors = 0

    def rows(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Iterator[dict[str, Any]]:
        if self.vendor == "sqlite":
            for row in self.conn.execute(sql.replace("%s", "?"), list(params)):
                yield dict(row)
            return
        self._cursors += 1
        with self.conn.cursor(name=f"importer_{self._cursors}") as cur:  # server side: streamed
            cur.itersize = 2000
            cur.execute(sql, list(params))
            yield from cur

    def has_table(self, table: str) -> bool:
        if self.vendor == "sqlite":
            return bool(
                self.conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", [table]
                ).fetchone()
            )
        return bool(list(self.rows("SELECT 1 FROM information_schema.tables WHERE table_name = %s", [table])))

    def close(self) -> None:
        self.conn.close()


def _json_objects(path: str) -> Iterator[dict[str, Any]]:
    """The objects of a JSON array, one at a time, without loading the file."""
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        buf, pos, started = "", 0, False
        while True:
            chunk = fh.read(1 << 16)
            buf = buf[pos:] + chunk
            pos = 0
            while True:
                while pos < len(buf) and buf[pos] in " \t\r\n,":
                    pos += 1
                if not started and pos < len(buf):
                    if buf[pos] != "[":
                        raise SourceError("Not a dumpdata file (a JSON array expected).")
                    started, pos = True, pos + 1
                    continue
                if pos < len(buf) and buf[pos] == "]":
                    return
                try:
                    obj, end = decoder.raw_decode(buf, pos)
                except json.JSONDecodeError:
                    break  # needs more text
                yield obj
                pos = end
            if not chunk:
                if buf[pos:].strip():
                    raise SourceError("The dumpdata file ends in the middle of an object.")
                return


def dumpdata_to_sqlite(path: str, target: str) -> None:
    """The objects of a dumpdata file that we read, into the tables django-helpdesk has."""
    conn = sqlite3.connect(target)
    for table, columns, fks in TABLES.values():
        cols = ", ".join(f'"{_column(c, fks)}"' for c in columns)
        conn.execute(f'CREATE TABLE "{table}" ({cols})')
    inserts = {
        model: (
            f'INSERT INTO "{table}" VALUES ({", ".join("?" for _ in columns)})',
            columns,
        )
        for model, (table, columns, _fks) in TABLES.items()
    }
    try:
        for n, obj in enumerate(_json_objects(path)):
            model = str(obj.get("model", "")).lower()
            if model not in inserts:
                continue
            sql, columns = inserts[model]
            fields = {**obj.get("fields", {}), "id": obj.get("pk")}
            values = []
            for c in columns:
                v = fields.get(c)
                values.append(json.dumps(v) if isinstance(v, list | dict) else v)
            conn.execute(sql, values)
            if n % 5000 == 0:
                conn.commit()
        conn.execute("CREATE INDEX fu_ticket ON helpdesk_followup(ticket_id)")
        conn.execute("CREATE INDEX att_fu ON helpdesk_followupattachment(followup_id)")
        conn.execute("CREATE INDEX cfv_ticket ON helpdesk_ticketcustomfieldvalue(ticket_id)")
        conn.commit()
    finally:
        conn.close()


@register("django-helpdesk")
class DjangoHelpdeskSource(BaseSource):
    def __init__(self, location: str, *, media: str | None = None, **options: Any) -> None:
        super().__init__(location, **options)
        self.media = media
        self._tmp: str | None = None
        if "://" not in location:
            if not Path(location).is_file():
                raise SourceError(f"No such file: {location}")
            fd, self._tmp = tempfile.mkstemp(suffix=".sqlite3", prefix="dh-import-")
            os.close(fd)
            os.unlink(self._tmp)
            dumpdata_to_sqlite(location, self._tmp)
            self.db = _Db(f"sqlite:///{self._tmp}")
            self.form = "dumpdata"
        else:
            self.db = _Db(location)
            self.form = "database"
        first = next(self.db.rows("SELECT secret_key FROM helpdesk_ticket ORDER BY id LIMIT 1"), None)
        self.key = "django-helpdesk:" + (
            str(first["secret_key"])
            if first and first.get("secret_key")
            else Path(urlparse(location).path).name
        )
        self._email_user: dict[str, str] | None = None

    # --- people ---------------------------------------------------------------------------------

    def _emails(self) -> dict[str, str]:
        """Address (lower case) → the source id of its account."""
        if self._email_user is None:
            self._email_user = {}
            for row in self.db.rows("SELECT id, email FROM auth_user WHERE email <> '' ORDER BY id"):
                self._email_user.setdefault(str(row["email"]).strip().lower(), f"user:{row['id']}")
        return self._email_user

    def _requester(self, email: str | None) -> str | None:
        email = (email or "").strip().lower()
        if not email:
            return None
        return self._emails().get(email, f"email:{email}")

    def teams(self) -> Iterator[TeamRecord]:
        for row in self.db.rows("SELECT id, title, email_address FROM helpdesk_queue ORDER BY id"):
            yield TeamRecord(
                source_id=str(row["id"]), name=row["title"] or "", email=row["email_address"] or ""
            )

    def users(self) -> Iterator[UserRecord]:
        for row in self.db.rows(
            "SELECT id, username, email, first_name, last_name, is_staff, is_superuser, is_active, date_joined "
            "FROM auth_user ORDER BY id"
        ):
            role = "supervisor" if row["is_superuser"] else "agent" if row["is_staff"] else "customer"
            yield UserRecord(
                source_id=f"user:{row['id']}",
                email=(row["email"] or "").strip().lower(),
                first_name=row["first_name"] or "",
                last_name=row["last_name"] or "",
                username=row["username"] or "",
                role=role,
                active=bool(row["is_active"]),
                created_at=parse_time(row["date_joined"]),
            )
        emails = self._emails()
        for row in self.db.rows(
            "SELECT DISTINCT lower(submitter_email) AS email FROM helpdesk_ticket "
            "WHERE submitter_email IS NOT NULL AND submitter_email <> '' ORDER BY 1"
        ):
            email = row["email"].strip()
            if email and email not in emails:
                yield UserRecord(source_id=f"email:{email}", email=email, role="customer")

    # --- tickets --------------------------------------------------------------------------------

    def _status(self, status: Any, on_hold: Any = False) -> str:
        label = STATUS_LABELS.get(int(status), str(status)) if status not in (None, "") else ""
        return ON_HOLD if on_hold and label in ("Open", "Reopened") else label

    def _since_filter(self, since: datetime | None) -> tuple[str, list[Any]]:
        if since is None:
            return "", []
        return " AND modified >= %s", [
            since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if self.db.vendor == "sqlite" else since
        ]

    def count_tickets(self, since: datetime | None = None) -> int | None:
        where, params = self._since_filter(since)
        row = next(self.db.rows(f"SELECT COUNT(*) AS n FROM helpdesk_ticket WHERE 1 = 1{where}", params))
        return int(row["n"])

    def tickets(self, since: datetime | None = None) -> Iterator[TicketRecord]:
        fields = (
            {
                str(r["id"]): r["label"] or r["name"]
                for r in self.db.rows("SELECT id, name, label FROM helpdesk_customfield")
            }
            if self.db.has_table("helpdesk_customfield")
            else {}
        )
        last_id = -1
        where, params = self._since_filter(since)
        while True:
            page = list(
                self.db.rows(
                    "SELECT id, title, queue_id, created, modified, submitter_email, assigned_to_id, status, "
                    "on_hold, description, resolution, priority FROM helpdesk_ticket "
                    f"WHERE id > %s{where} ORDER BY id LIMIT {PAGE}",
                    [last_id, *params],
                )
            )
            if not page:
                return
            last_id = page[-1]["id"]
            yield from self._page(page, fields)

    def _page(self, page: list[dict[str, Any]], fields: dict[str, str]) -> Iterator[TicketRecord]:
        ids = [r["id"] for r in page]
        marks = ", ".join("%s" for _ in ids)
        followups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for f in self.db.rows(
            "SELECT id, ticket_id, date, title, comment, public, user_id, new_status FROM helpdesk_followup "
            f"WHERE ticket_id IN ({marks}) ORDER BY date, id",
            ids,
        ):
            followups[f["ticket_id"]].append(f)
        fu_ids = [f["id"] for fs in followups.values() for f in fs]
        files: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for start in range(0, len(fu_ids), 900):
            part = fu_ids[start : start + 900]
            for a in self.db.rows(
                "SELECT id, followup_id, file, filename, mime_type, size FROM helpdesk_followupattachment "
                f"WHERE followup_id IN ({', '.join('%s' for _ in part)}) ORDER BY id",
                part,
            ):
                files[a["followup_id"]].append(a)
        custom: dict[Any, dict[str, Any]] = defaultdict(dict)
        if fields:
            for v in self.db.rows(
                f"SELECT ticket_id, field_id, value FROM helpdesk_ticketcustomfieldvalue WHERE ticket_id IN ({marks})",
                ids,
            ):
                if v["value"] not in (None, ""):
                    custom[v["ticket_id"]][fields.get(str(v["field_id"]), str(v["field_id"]))] = v["value"]
        for row in page:
            yield self._ticket(row, followups.get(row["id"], []), files, custom.get(row["id"], {}))

    def _ticket(
        self,
        row: dict[str, Any],
        followups: list[dict[str, Any]],
        files: dict[Any, list],
        custom: dict[str, Any],
    ) -> TicketRecord:
        problems: list[Problem] = []
        try:
            created, modified = parse_time(row["created"]), parse_time(row["modified"])
        except (TypeError, ValueError) as exc:
            created = modified = None
            problems.append(Problem("bad_date", str(exc)))
        requester = self._requester(row["submitter_email"])
        messages = []
        for f in followups:
            messages.append(self._message(f, requester, files.get(f["id"], []), str(row["id"])))
        state = self._status(row["status"], row["on_hold"])
        return TicketRecord(
            source_id=str(row["id"]),
            number=str(row["id"]),
            subject=row["title"] or "",
            requester_source_id=requester,
            state=state,
            priority=PRIORITY_LABELS.get(row["priority"], str(row["priority"] or "")),
            queue_source_id=str(row["queue_id"]) if row["queue_id"] is not None else None,
            assignee_source_id=f"user:{row['assigned_to_id']}" if row["assigned_to_id"] else None,
            custom_fields=custom,
            description=row["description"] or "",
            resolution=row["resolution"] or "",
            created_at=created,
            updated_at=modified,
            channel="email",
            messages=messages,
            problems=problems,
        )

    def _message(
        self, f: dict[str, Any], requester: str | None, files: list[dict[str, Any]], ticket_id: str
    ) -> MessageRecord:
        problems: list[Problem] = []
        try:
            at = parse_time(f["date"])
        except (TypeError, ValueError) as exc:
            at = None
            problems.append(Problem("bad_date", str(exc)))
        author = f"user:{f['user_id']}" if f["user_id"] else requester
        attachments = [
            AttachmentRecord(
                source_id=str(a["id"]),
                filename=a["filename"] or os.path.basename(str(a["file"] or "")) or "file",
                content_type=a["mime_type"] or "application/octet-stream",
                size=int(a["size"]) if a["size"] not in (None, "") else None,
                read=self._reader(str(a["file"] or "")),
                created_at=at,
            )
            for a in files
        ]
        comment = f["comment"] or ""
        return MessageRecord(
            source_id=str(f["id"]),
            ticket_source_id=ticket_id,
            author_source_id=author,
            body_text=comment if comment.strip() else "",
            internal=not bool(f["public"]),
            created_at=at,
            new_state=self._status(f["new_status"]) if f["new_status"] not in (None, "") else None,
            attachments=attachments,
            problems=problems,
        )

    def _reader(self, relative: str):  # noqa: ANN202
        media = self.media

        def read() -> bytes:
            if not media:
                raise FileNotFoundError("no --media directory given")
            root = Path(media).resolve()
            path = (root / relative).resolve()
            if root not in path.parents:
                raise FileNotFoundError(f"{relative}: outside the media directory")
            return path.read_bytes()

        return read

    # --- knowledge base -------------------------------------------------------------------------

    def kb_categories(self) -> Iterator[KBCategoryRecord]:
        for row in self.db.rows("SELECT id, name, title, description FROM helpdesk_kbcategory ORDER BY id"):
            yield KBCategoryRecord(
                source_id=str(row["id"]),
                name=row["title"] or row["name"] or "",
                description=row["description"] or "",
            )

    def kb_articles(self) -> Iterator[KBArticleRecord]:
        for row in self.db.rows(
            "SELECT i.id, i.category_id, i.title, i.question, i.answer, i.last_updated, i.enabled, "
            "c.public, q.locale FROM helpdesk_kbitem i "
            "LEFT JOIN helpdesk_kbcategory c ON c.id = i.category_id "
            "LEFT JOIN helpdesk_queue q ON q.id = c.queue_id ORDER BY i.id"
        ):
            updated = parse_time(row["last_updated"])
            body = "\n\n".join(
                p for p in ((row["question"] or "").strip(), (row["answer"] or "").strip()) if p
            )
            yield KBArticleRecord(
                source_id=str(row["id"]),
                title=row["title"] or "",
                body=body,
                language=(row["locale"] or "")[:2],
                category_source_id=str(row["category_id"]) if row["category_id"] is not None else None,
                public=row["public"] is None or bool(row["public"]),
                published=bool(row["enabled"]),
                created_at=updated,
                updated_at=updated,
            )

    def describe_values(self) -> dict[str, list[str]]:
        states = {
            self._status(s)
            for (s,) in [
                tuple(r.values()) for r in self.db.rows("SELECT DISTINCT status FROM helpdesk_ticket")
            ]
        }
        held = list(self.db.rows("SELECT 1 AS x FROM helpdesk_ticket WHERE on_hold LIMIT 1"))
        priorities = {
            PRIORITY_LABELS.get(p, str(p))
            for (p,) in [
                tuple(r.values()) for r in self.db.rows("SELECT DISTINCT priority FROM helpdesk_ticket")
            ]
        }
        queues = [r["title"] for r in self.db.rows("SELECT title FROM helpdesk_queue ORDER BY id")]
        custom = (
            [
                r["label"] or r["name"]
                for r in self.db.rows("SELECT name, label FROM helpdesk_customfield ORDER BY id")
            ]
            if self.db.has_table("helpdesk_customfield")
            else []
        )
        return {
            "states": sorted(states | ({ON_HOLD} if held else set()) | set(STATUS_LABELS.values())),
            "priorities": sorted(priorities | set(PRIORITY_LABELS.values())),
            "queues": queues,
            "categories": [],
            "custom_fields": custom,
        }

    def close(self) -> None:
        self.db.close()
        if self._tmp and os.path.exists(self._tmp):
            os.unlink(self._tmp)
