"""``--from osticket mysql://USER:PASSWORD@HOST:PORT/DBNAME``: an osTicket (1.10+) database.

What is read (osTicket's own tables; the tests' tests/importers/fixtures/osticket/schema-mysql.sql
has the columns used):
departments → teams; users (``ost_user`` with their default ``ost_user_email``, organisation name
as the company) → customers; staff (``ost_staff``; ``isadmin`` → supervisor, else agent, their
department as team); tickets (``ost_ticket`` with the subject and priority of the ticket form's
``ost_ticket__cdata``, the status's name, the department as queue, the help topic as category);
closes and reopens as they happened (``ost_thread_event``: the reopen count, the resolution
time); thread entries (``ost_thread_entry`` of the ticket's thread: M = the user's message, R = a staff
response, N = an internal note) with their files (``ost_attachment`` type H → ``ost_file`` with
the bytes in ``ost_file_chunk``; the attachment's own name where 1.11+ keeps one); FAQ categories and FAQs (published / public kept).

Options in the URL's query: ``prefix`` (table prefix, default ``ost_``), ``tz`` (the time zone
osTicket's DATETIME columns are in, default UTC), ``language`` (the FAQs' language, default en).
``sqlite:///path`` reads the same tables from SQLite (used by the tests where no MariaDB runs).

User ids are ``u<id>`` and staff ids ``s<id>`` (osTicket numbers them separately). Tickets are
read in keyset batches by ``ticket_id``; ``--since`` filters on ``ost_ticket.updated``. Text
columns are read as bytes and decoded here, so one row that is not UTF-8 is a skipped
``bad_encoding`` row, not a failed import.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from importers.records import (
    AttachmentRecord,
    KBArticleRecord,
    KBCategoryRecord,
    MessageRecord,
    Problem,
    StateChange,
    TeamRecord,
    TicketRecord,
    UserRecord,
)

from .base import BaseSource, SourceError, register
from .values import decode, language, parse_time

BATCH = 500
# ost_thread_event's states that change the ticket's state, as the mapping sees them.
EVENT_STATES = {"closed": "closed", "reopened": "open"}
CHANNELS = {"Web": "web", "Email": "email", "Phone": "phone", "API": "api"}


def _html_to_text(html: str) -> str:
    from importers.engine import html_to_text

    return html_to_text(html)


@register("osticket")
class OsTicketSource(BaseSource):
    def __init__(self, location: str, **options: Any) -> None:
        super().__init__(location, **options)
        split = urlsplit(location)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        self.prefix = query.get("prefix", "ost_")
        if not self.prefix.replace("_", "").isalnum():
            raise SourceError(f"osticket: not a table prefix: {self.prefix!r}")
        try:
            self.tz = ZoneInfo(query.get("tz", "UTC"))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SourceError(f"osticket: unknown time zone {query.get('tz')!r}") from exc
        self.kb_language = options.get("language") or query.get("language", "en")
        if split.scheme == "sqlite":
            path = unquote(location.removeprefix("sqlite:///").split("?")[0])
            self.key = f"osticket:sqlite:{path}"
            try:
                self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            except sqlite3.Error as exc:
                raise SourceError(f"osticket: {exc}") from exc
            self.mark, self.binary = "?", "BLOB"
        elif split.scheme in ("mysql", "mariadb"):
            try:
                import pymysql
            except ImportError as exc:  # pragma: no cover - PyMySQL is a dependency
                raise SourceError("osticket: PyMySQL is not installed") from exc
            database = split.path.lstrip("/")
            self.key = f"osticket:{split.hostname}:{split.port or 3306}/{database}"
            try:
                self.conn = pymysql.connect(
                    host=split.hostname or "127.0.0.1",
                    port=split.port or 3306,
                    user=unquote(split.username or "root"),
                    password=unquote(split.password or ""),
                    database=database,
                    charset="utf8mb4",
                    autocommit=True,  # read-only; no transaction holds locks on osTicket's tables
                )
            except pymysql.MySQLError as exc:
                raise SourceError(f"osticket: cannot connect: {exc}") from exc
            self.mark, self.binary = "%s", "BINARY"
        else:
            raise SourceError(f"osticket: use mysql://… (or sqlite:///…), not {location!r}")
        self._priorities: dict[str, str] | None = None
        self._has_attachment_name: bool | None = None

    # -- reading ---------------------------------------------------------------------------------

    def _rows(self, sql: str, params: tuple | list = ()) -> list[dict[str, Any]]:
        sql = sql.replace("{p}", self.prefix).replace("{bin}", self.binary).replace("?", self.mark)
        cur = self.conn.cursor()
        try:
            cur.execute(sql, tuple(params))
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except Exception as exc:
            if isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("pymysql"):
                raise SourceError(f"osticket: {exc}") from exc
            raise
        finally:
            cur.close()

    def _text(self, value: Any, problems: list[Problem], what: str) -> str:
        return (
            decode(value, problems, what)
            if isinstance(value, bytes | bytearray | memoryview)
            else value or ""
        )

    def _time(self, value: Any, problems: list[Problem], what: str) -> datetime | None:
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        return parse_time(value, problems, what, tz=self.tz)

    def priorities(self) -> dict[str, str]:
        if self._priorities is None:
            rows = self._rows("SELECT priority_id, priority_desc FROM {p}ticket_priority")
            self._priorities = {str(r["priority_id"]): r["priority_desc"] for r in rows}
        return self._priorities

    # -- the kinds -------------------------------------------------------------------------------

    def teams(self) -> Iterator[TeamRecord]:
        for row in self._rows("SELECT id, name FROM {p}department ORDER BY id"):
            yield TeamRecord(source_id=str(row["id"]), name=row["name"] or f"Department {row['id']}")

    def users(self) -> Iterator[UserRecord]:
        for row in self._rows(
            "SELECT s.staff_id, s.dept_id, s.username, s.firstname, s.lastname, s.email, s.lang,"
            " s.isactive, s.isadmin, s.created FROM {p}staff s ORDER BY s.staff_id"
        ):
            problems: list[Problem] = []
            yield UserRecord(
                source_id=f"s{row['staff_id']}",
                email=(row["email"] or "").strip(),
                first_name=row["firstname"] or "",
                last_name=row["lastname"] or "",
                username=row["username"] or "",
                role="supervisor" if row["isadmin"] else "agent",
                language=language(row["lang"]),
                active=bool(row["isactive"]),
                team_source_ids=[str(row["dept_id"])] if row["dept_id"] else [],
                created_at=self._time(row["created"], problems, "created"),
                problems=problems,
            )
        last = 0
        while True:
            rows = self._rows(
                "SELECT u.id, u.name, u.created, e.address, o.name AS org FROM {p}user u"
                " LEFT JOIN {p}user_email e ON e.id = u.default_email_id"
                " LEFT JOIN {p}organization o ON o.id = u.org_id"
                f" WHERE u.id > ? ORDER BY u.id LIMIT {BATCH}",
                (last,),
            )
            for row in rows:
                problems = []
                yield UserRecord(
                    source_id=f"u{row['id']}",
                    email=(row["address"] or "").strip(),
                    name=self._text(row["name"], problems, "name"),
                    company=row["org"] or "",
                    created_at=self._time(row["created"], problems, "created"),
                    problems=problems,
                )
            if len(rows) < BATCH:
                return
            last = rows[-1]["id"]

    def count_tickets(self, since: datetime | None = None) -> int | None:
        where, extra = "", []
        if since is not None:
            where = " WHERE t.updated >= ?"
            extra = [since.astimezone(self.tz).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")]
        return int(self._rows(f"SELECT COUNT(*) AS n FROM {{p}}ticket t{where}", extra)[0]["n"])

    def tickets(self, since: datetime | None = None) -> Iterator[TicketRecord]:
        last = 0
        where, extra = "", []
        if since is not None:
            where = " AND t.updated >= ?"
            extra = [since.astimezone(self.tz).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")]
        while True:
            rows = self._rows(
                "SELECT t.ticket_id, t.number, t.user_id, t.status_id, t.dept_id, t.topic_id, t.staff_id,"
                " t.source, t.closed, t.created, t.updated,"
                " CAST(c.subject AS {bin}) AS subject, c.priority AS form_priority,"
                " s.name AS status_name, s.state, h.topic, h.priority_id AS topic_priority"
                " FROM {p}ticket t"
                " LEFT JOIN {p}ticket__cdata c ON c.ticket_id = t.ticket_id"
                " LEFT JOIN {p}ticket_status s ON s.id = t.status_id"
                " LEFT JOIN {p}help_topic h ON h.topic_id = t.topic_id"
                f" WHERE t.ticket_id > ?{where} ORDER BY t.ticket_id LIMIT {BATCH}",
                [last, *extra],
            )
            for row in rows:
                yield self._ticket(row)
            if len(rows) < BATCH:
                return
            last = rows[-1]["ticket_id"]

    def _ticket(self, row: dict[str, Any]) -> TicketRecord:
        problems: list[Problem] = []
        if row["status_name"] is None:
            problems.append(Problem("unknown_state", f"status_id {row['status_id']}"))
        elif row["state"] == "deleted":
            problems.append(Problem("deleted_in_source", row["status_name"]))
        created = self._time(row["created"], problems, "created")
        updated = self._time(row["updated"], problems, "updated")
        closed = (
            self._time(row["closed"], problems, "closed") if row["state"] in ("closed", "archived") else None
        )
        priority_id = str(row["form_priority"] or "").strip() or str(row["topic_priority"] or "")
        changes = []
        for event in self._rows(
            "SELECT ev.state, ev.timestamp, ev.uid, ev.uid_type FROM {p}thread_event ev"
            " JOIN {p}thread th ON th.id = ev.thread_id"
            " WHERE th.object_type = 'T' AND th.object_id = ? AND ev.state IN ('closed', 'reopened')"
            " AND ev.annulled = 0 ORDER BY ev.timestamp, ev.id",
            (row["ticket_id"],),
        ):
            when = self._time(event["timestamp"], [], "timestamp")
            if when is not None:
                by = f"{'s' if event['uid_type'] == 'S' else 'u'}{event['uid']}" if event["uid"] else None
                changes.append(StateChange(state=EVENT_STATES[event["state"]], at=when, by_source_id=by))
        return TicketRecord(
            source_id=str(row["ticket_id"]),
            number=str(row["number"] or row["ticket_id"]),
            subject=self._text(row["subject"], problems, "subject"),
            requester_source_id=f"u{row['user_id']}" if row["user_id"] else None,
            state=row["status_name"] or "",
            priority=self.priorities().get(priority_id, priority_id if priority_id != "0" else ""),
            queue_source_id=str(row["dept_id"]) if row["dept_id"] else None,
            category=row["topic"] or "",
            assignee_source_id=f"s{row['staff_id']}" if row["staff_id"] else None,
            created_at=created,
            updated_at=updated,
            closed_at=closed,
            channel=CHANNELS.get(row["source"], ""),
            state_changes=changes,
            problems=problems,
        )

    def messages(self, ticket: TicketRecord) -> Iterator[MessageRecord]:
        entries = self._rows(
            "SELECT e.id, e.type, e.staff_id, e.user_id, e.format, e.created, CAST(e.body AS {bin}) AS body"
            " FROM {p}thread_entry e JOIN {p}thread th ON th.id = e.thread_id"
            " WHERE th.object_type = 'T' AND th.object_id = ? ORDER BY e.created, e.id",
            (int(ticket.source_id),),
        )
        files: dict[int, list[AttachmentRecord]] = {}
        if entries:
            marks = ", ".join("?" * len(entries))
            for f in self._rows(
                f"SELECT a.object_id, f.id, {self._attachment_name()} AS name, f.type, f.size, f.bk, f.created"
                " FROM {p}attachment a"
                f" JOIN {{p}}file f ON f.id = a.file_id WHERE a.type = 'H' AND a.object_id IN ({marks})"
                " ORDER BY a.id",
                [e["id"] for e in entries],
            ):
                files.setdefault(f["object_id"], []).append(self._file(f))
        for e in entries:
            problems: list[Problem] = []
            body = self._text(e["body"], problems, "body")
            author = f"s{e['staff_id']}" if e["staff_id"] else f"u{e['user_id']}" if e["user_id"] else None
            html = (e["format"] or "html") == "html"
            yield MessageRecord(
                source_id=str(e["id"]),
                ticket_source_id=ticket.source_id,
                author_source_id=author,
                body_text="" if html else body,
                body_html=body if html else "",
                internal=e["type"] == "N",
                created_at=self._time(e["created"], problems, "created"),
                attachments=files.get(e["id"], []),
                problems=problems,
            )

    def _attachment_name(self) -> str:
        """The file's name as the ticket shows it: osTicket 1.11+ keeps a per-attachment name
        (``ost_attachment.name``, NULL when the file's own name stands); 1.10 has only the file's."""
        if self._has_attachment_name is None:
            try:
                self._rows("SELECT name FROM {p}attachment WHERE 1 = 0")
                self._has_attachment_name = True
            except SourceError:
                self._has_attachment_name = False
        return "COALESCE(NULLIF(a.name, ''), f.name)" if self._has_attachment_name else "f.name"

    def _file(self, f: dict[str, Any]) -> AttachmentRecord:
        file_id = f["id"]

        def read() -> bytes:
            chunks = self._rows(
                "SELECT filedata FROM {p}file_chunk WHERE file_id = ? ORDER BY chunk_id", (file_id,)
            )
            if not chunks:
                raise ValueError("not stored in the database (filesystem or S3 backend)")
            return b"".join(bytes(c["filedata"]) for c in chunks)

        problems: list[Problem] = []
        return AttachmentRecord(
            source_id=str(file_id),
            filename=f["name"] or f"file-{file_id}",
            content_type=f["type"] or "application/octet-stream",
            size=int(f["size"]) if f["size"] is not None else None,
            read=read if f["bk"] == "D" else None,
            created_at=self._time(f["created"], problems, "created"),
        )

    def kb_categories(self) -> Iterator[KBCategoryRecord]:
        for row in self._rows(
            "SELECT category_id, name, description FROM {p}faq_category ORDER BY category_id"
        ):
            yield KBCategoryRecord(
                source_id=str(row["category_id"]),
                name=row["name"] or f"Category {row['category_id']}",
                description=_html_to_text(row["description"] or ""),
            )

    def kb_articles(self) -> Iterator[KBArticleRecord]:
        for row in self._rows(
            "SELECT f.faq_id, f.category_id, f.ispublished, f.question, CAST(f.answer AS {bin}) AS answer,"
            " f.keywords, f.created, f.updated, c.ispublic FROM {p}faq f"
            " LEFT JOIN {p}faq_category c ON c.category_id = f.category_id ORDER BY f.faq_id"
        ):
            problems: list[Problem] = []
            yield KBArticleRecord(
                source_id=str(row["faq_id"]),
                title=row["question"] or "",
                body=_html_to_text(self._text(row["answer"], problems, "answer")),
                language=self.kb_language,
                category_source_id=str(row["category_id"]) if row["category_id"] else None,
                public=bool(row["ispublic"]),
                published=bool(row["ispublished"]),
                tags=[k for k in (row["keywords"] or "").replace(",", " ").split() if k],
                created_at=self._time(row["created"], problems, "created"),
                updated_at=self._time(row["updated"], problems, "updated"),
                problems=problems,
            )

    def describe_values(self) -> dict[str, list[str]]:
        return {
            "states": [r["name"] for r in self._rows("SELECT name FROM {p}ticket_status ORDER BY sort, id")]
            + sorted(set(EVENT_STATES.values())),
            "priorities": list(self.priorities().values()),
            "queues": [r["name"] for r in self._rows("SELECT name FROM {p}department ORDER BY id")],
            "categories": [
                r["topic"] for r in self._rows("SELECT topic FROM {p}help_topic ORDER BY topic_id")
            ],
        }

    def close(self) -> None:
        self.conn.close()
