"""A small osTicket database for the importer tests: the osTicket tables the importer reads
(fixtures/osticket/schema-*.sql) in a fresh MariaDB database, or in SQLite where no MariaDB
answers, filled with a realistic help desk's few weeks.

The DDL is our own transcription of the columns the importer reads (plus every NOT NULL
column without a default), checked table by table against osTicket's published schema,
setup/inc/streams/core/install-mysql.sql of osTicket/osTicket at commit
d3fa2181302e376552d977a428de354db2581b36 (a 1.11+ schema: thread / thread_entry /
thread_event, user / user_email / organization, ticket_status with ``state``), with the
``%TABLE_PREFIX%`` as ``ost_``: department, help_topic, ticket_status, ticket_priority,
organization, user, user_email, staff, ticket, thread, thread_entry, thread_event, file,
file_chunk, attachment, faq_category, faq. ticket__cdata is not in that file (osTicket
materialises it from the ticket form: ticket_id plus one text column per field name, here
``subject`` and ``priority``, the latter holding the priority's id). An older snapshot of
that file (commit 040e11be3739d7370eae18a2db649483fdcc1844, 1.10 development) still has
lastmessage / lastresponse on ticket and views / score on faq; the importer reads none of
them, so it works on both.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "osticket"
MYSQL_HOST = os.environ.get("OSTICKET_TEST_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = int(os.environ.get("OSTICKET_TEST_MYSQL_PORT", "3306"))
MYSQL_USER = os.environ.get("OSTICKET_TEST_MYSQL_USER", "root")

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4b80000000049454e44ae426082"
)


def mysql_available() -> bool:
    try:
        import pymysql
    except ImportError:
        return False
    try:
        pymysql.connect(host=MYSQL_HOST, port=MYSQL_PORT, user=MYSQL_USER, connect_timeout=2).close()
    except pymysql.MySQLError:
        return False
    return True


def create_mysql() -> tuple[str, callable]:
    """A new database with osTicket's tables and the data set; its URL and a function dropping it."""
    import pymysql

    name = f"osticket_test_{uuid.uuid4().hex[:10]}"
    admin = pymysql.connect(host=MYSQL_HOST, port=MYSQL_PORT, user=MYSQL_USER, autocommit=True)
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8")
    conn = pymysql.connect(
        host=MYSQL_HOST, port=MYSQL_PORT, user=MYSQL_USER, database=name, charset="utf8mb4", autocommit=True
    )
    with conn.cursor() as cur:
        # osTicket databases of long standing hold zero dates; allow them as its old installs did.
        cur.execute("SET SESSION sql_mode = ''")
        for statement in _statements(FIXTURES / "schema-mysql.sql"):
            cur.execute(statement)
        for table, rows in DATA.items():
            for row in rows:
                columns = ", ".join(f"`{c}`" for c in row)
                cur.execute(
                    f"INSERT INTO `{table}` ({columns}) VALUES ({', '.join(['%s'] * len(row))})",
                    list(row.values()),
                )
    conn.close()

    def drop() -> None:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()

    return f"mysql://{MYSQL_USER}@{MYSQL_HOST}:{MYSQL_PORT}/{name}", drop


def create_sqlite(path: Path, *, extra: dict[str, list[dict]] | None = None) -> str:
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "schema-sqlite.sql").read_text())
    for table, rows in list(DATA.items()) + list((extra or {}).items()):
        for row in rows:
            columns = ", ".join(f'"{c}"' for c in row)
            conn.execute(
                f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join(["?"] * len(row))})',
                list(row.values()),
            )
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def add_rows(url: str, table: str, rows: list[dict], *, update: dict | None = None) -> None:
    """Write to the source after a first import (``--since`` tests)."""
    conn, mark = _connect(url)
    cur = conn.cursor()
    for row in rows:
        columns = ", ".join(f"`{c}`" if mark == "%s" else f'"{c}"' for c in row)
        cur.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join([mark] * len(row))})", list(row.values())
        )
    if update:
        for sql, params in update.items():
            cur.execute(sql.replace("?", mark), params)
    conn.commit()
    conn.close()


def _connect(url: str):  # noqa: ANN202
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///")), "?"
    import pymysql

    name = url.rsplit("/", 1)[1]
    return pymysql.connect(
        host=MYSQL_HOST, port=MYSQL_PORT, user=MYSQL_USER, database=name, charset="utf8mb4"
    ), "%s"


def _statements(path: Path) -> list[str]:
    text = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def _user(id: int, name: str, email: str, org: int, created: str) -> dict:
    return {
        "id": id,
        "org_id": org,
        "default_email_id": id,
        "status": 0,
        "name": name,
        "created": created,
        "updated": created,
    }


def _entry(id: int, thread: int, type_: str, body: str, created: str, *, staff: int = 0, user: int = 0, poster: str = "", fmt: str = "html", title: str | None = None) -> dict:  # fmt: skip
    return {
        "id": id, "pid": 0, "thread_id": thread, "staff_id": staff, "user_id": user, "type": type_, "flags": 0,
        "poster": poster, "source": "Email" if type_ == "M" else "", "title": title, "body": body, "format": fmt,
        "ip_address": "", "created": created, "updated": created,
    }  # fmt: skip


def _ticket(id: int, number: str, user: int, status: int, dept: int, topic: int, staff: int, source: str, created: str, updated: str, *, closed: str | None = None, reopened: str | None = None, lastresponse: str | None = None) -> dict:  # fmt: skip
    return {
        "ticket_id": id, "number": number, "user_id": user, "user_email_id": 0, "status_id": status, "dept_id": dept,
        "sla_id": 1, "topic_id": topic, "staff_id": staff, "team_id": 0, "email_id": 0, "lock_id": 0, "flags": 0,
        "ip_address": "10.0.0.5", "source": source, "isoverdue": 0, "isanswered": 1 if lastresponse else 0,
        "duedate": None, "est_duedate": None, "reopened": reopened, "closed": closed, "lastupdate": updated, "created": created, "updated": updated,
    }  # fmt: skip


T0 = "2024-01-10 09:00:00"
DATA: dict[str, list[dict]] = {
    "ost_department": [
        {
            "id": 1,
            "pid": None,
            "name": "Support",
            "signature": "",
            "ispublic": 1,
            "path": "/1/",
            "created": T0,
            "updated": T0,
        },
        {
            "id": 2,
            "pid": None,
            "name": "Network Operations",
            "signature": "",
            "ispublic": 0,
            "path": "/2/",
            "created": T0,
            "updated": T0,
        },
    ],  # fmt: skip
    "ost_help_topic": [
        {
            "topic_id": 1,
            "topic_pid": 0,
            "ispublic": 1,
            "priority_id": 2,
            "dept_id": 1,
            "topic": "General Inquiry",
            "notes": "",
            "created": T0,
            "updated": T0,
        },
        {
            "topic_id": 2,
            "topic_pid": 0,
            "ispublic": 1,
            "priority_id": 3,
            "dept_id": 2,
            "topic": "Network Outage",
            "notes": "",
            "created": T0,
            "updated": T0,
        },
    ],  # fmt: skip
    "ost_ticket_status": [
        {
            "id": 1,
            "name": "Open",
            "state": "open",
            "mode": 3,
            "flags": 0,
            "sort": 1,
            "properties": '{"description":"Open tickets."}',
            "created": T0,
            "updated": T0,
        },
        {
            "id": 2,
            "name": "Resolved",
            "state": "closed",
            "mode": 1,
            "flags": 0,
            "sort": 2,
            "properties": '{"allowreopen":true}',
            "created": T0,
            "updated": T0,
        },
        {
            "id": 3,
            "name": "Closed",
            "state": "closed",
            "mode": 3,
            "flags": 0,
            "sort": 3,
            "properties": '{"allowreopen":true}',
            "created": T0,
            "updated": T0,
        },
        {
            "id": 4,
            "name": "Archived",
            "state": "archived",
            "mode": 3,
            "flags": 0,
            "sort": 4,
            "properties": "{}",
            "created": T0,
            "updated": T0,
        },
        {
            "id": 5,
            "name": "Deleted",
            "state": "deleted",
            "mode": 3,
            "flags": 0,
            "sort": 5,
            "properties": "{}",
            "created": T0,
            "updated": T0,
        },
    ],  # fmt: skip
    "ost_ticket_priority": [
        {
            "priority_id": 1,
            "priority": "low",
            "priority_desc": "Low",
            "priority_color": "#DDFFDD",
            "priority_urgency": 4,
            "ispublic": 1,
        },
        {
            "priority_id": 2,
            "priority": "normal",
            "priority_desc": "Normal",
            "priority_color": "#FFFFF0",
            "priority_urgency": 3,
            "ispublic": 1,
        },
        {
            "priority_id": 3,
            "priority": "high",
            "priority_desc": "High",
            "priority_color": "#FEE7E7",
            "priority_urgency": 2,
            "ispublic": 1,
        },
        {
            "priority_id": 4,
            "priority": "emergency",
            "priority_desc": "Emergency",
            "priority_color": "#FEE7E7",
            "priority_urgency": 1,
            "ispublic": 1,
        },
    ],  # fmt: skip
    "ost_organization": [
        {
            "id": 1,
            "name": "Acme GmbH",
            "manager": "",
            "status": 0,
            "domain": "acme.example",
            "extra": None,
            "created": T0,
            "updated": T0,
        },
    ],  # fmt: skip
    "ost_user": [
        _user(1, "Petra Wolff", "petra@acme.example", 1, T0),
        _user(2, "Tom Becker", "tom@acme.example", 1, T0),
        _user(3, "Jane Doe", "jane@globex.example", 0, T0),
    ],
    "ost_user_email": [
        {"id": 1, "user_id": 1, "flags": 0, "address": "petra@acme.example"},
        {"id": 2, "user_id": 2, "flags": 0, "address": "tom@acme.example"},
        {"id": 3, "user_id": 3, "flags": 0, "address": "jane@globex.example"},
    ],
    "ost_staff": [
        {
            "staff_id": 1,
            "dept_id": 1,
            "role_id": 1,
            "username": "dana",
            "firstname": "Dana",
            "lastname": "Fischer",
            "email": "dana@helpdesk.example",
            "signature": "",
            "lang": "de_DE",
            "isactive": 1,
            "isadmin": 1,
            "created": T0,
            "updated": T0,
        },
        {
            "staff_id": 2,
            "dept_id": 2,
            "role_id": 1,
            "username": "nils",
            "firstname": "Nils",
            "lastname": "Berg",
            "email": "nils@helpdesk.example",
            "signature": "",
            "lang": None,
            "isactive": 1,
            "isadmin": 0,
            "created": T0,
            "updated": T0,
        },
    ],  # fmt: skip
    "ost_ticket": [
        _ticket(
            1,
            "100231",
            1,
            1,
            1,
            1,
            1,
            "Email",
            "2024-03-04 08:15:00",
            "2024-03-04 10:02:30",
            lastresponse="2024-03-04 08:47:10",
        ),
        _ticket(
            2,
            "100232",
            2,
            3,
            2,
            2,
            2,
            "Phone",
            "2024-03-05 12:00:00",
            "2024-03-06 09:30:00",
            closed="2024-03-06 09:30:00",
            lastresponse="2024-03-05 12:20:00",
        ),
        _ticket(3, "100233", 99, 1, 1, 1, 1, "Web", "2024-03-06 08:00:00", "2024-03-06 08:00:00"),
        _ticket(4, "100234", 3, 42, 1, 1, 1, "Web", "2024-03-07 08:00:00", "2024-03-07 08:00:00"),
        _ticket(5, "100235", 3, 1, 1, 1, 1, "Web", "0000-00-00 00:00:00", "2024-03-08 08:00:00"),
        _ticket(
            6,
            "100236",
            3,
            1,
            2,
            2,
            2,
            "Web",
            "2024-04-01 09:00:00",
            "2024-05-02 08:00:00",
            reopened="2024-04-03 10:00:00",
            lastresponse="2024-04-01 09:30:00",
        ),
    ],  # fmt: skip
    "ost_ticket__cdata": [
        {"ticket_id": 1, "subject": "VPN drops every hour", "priority": "3"},
        {"ticket_id": 2, "subject": "Drucker im 2. OG druckt nur leere Seiten", "priority": ""},
        {"ticket_id": 3, "subject": "From a user nobody knows", "priority": ""},
        {"ticket_id": 4, "subject": "In a status nobody made", "priority": ""},
        {"ticket_id": 5, "subject": "Created at the dawn of time", "priority": ""},
        {"ticket_id": 6, "subject": "Switch port flapping in rack B4", "priority": "4"},
    ],
    # Since osTicket 1.11 the last message / response times are on the thread, not the ticket.
    "ost_thread": [
        {
            "id": i,
            "object_id": i,
            "object_type": "T",
            "extra": None,
            "lastmessage": message,
            "lastresponse": response,
            "created": "2024-03-04 08:15:00",
        }
        for i, message, response in [
            (1, "2024-03-04 08:15:00", "2024-03-04 08:47:10"),
            (2, "2024-03-05 12:00:00", "2024-03-05 12:20:00"),
            (3, "2024-03-06 08:00:00", None),
            (4, "2024-03-07 08:00:00", None),
            (5, "2024-03-08 08:00:00", None),
            (6, "2024-04-01 09:00:00", "2024-04-01 09:30:00"),
        ]
    ],  # fmt: skip
    "ost_thread_entry": [
        _entry(
            1,
            1,
            "M",
            "<p>Hi, our VPN connection drops every hour since Monday.</p>",
            "2024-03-04 08:15:00",
            user=1,
            poster="Petra Wolff",
            title="VPN drops every hour",
        ),
        _entry(
            2,
            1,
            "R",
            "<p>Hello Petra, could you send us the client version?</p>",
            "2024-03-04 08:47:10",
            staff=1,
            poster="Dana Fischer",
        ),
        _entry(
            3,
            1,
            "N",
            "Looks like the IKE lifetime of 3600s, check the firewall profile.",
            "2024-03-04 10:02:30",
            staff=1,
            poster="Dana Fischer",
            fmt="text",
            title="Internal note",
        ),
        _entry(
            4,
            2,
            "M",
            "Der Drucker im 2. OG druckt nur leere Seiten.",
            "2024-03-05 12:00:00",
            user=2,
            poster="Tom Becker",
            fmt="text",
        ),
        _entry(
            5,
            2,
            "R",
            "<p>Toner getauscht, bitte noch einmal probieren.</p>",
            "2024-03-05 12:20:00",
            staff=2,
            poster="Nils Berg",
        ),
        _entry(6, 3, "M", "Who am I?", "2024-03-06 08:00:00", user=99, fmt="text"),
        _entry(7, 4, "M", "A status nobody made.", "2024-03-07 08:00:00", user=3, fmt="text"),
        _entry(8, 5, "M", "A broken creation time.", "2024-03-08 08:00:00", user=3, fmt="text"),
        _entry(
            9,
            6,
            "M",
            "Port Gi1/0/24 in rack B4 goes up and down.",
            "2024-04-01 09:00:00",
            user=3,
            poster="Jane Doe",
            fmt="text",
        ),
        _entry(
            10,
            6,
            "N",
            "Replaced the patch cable, watching it.",
            "2024-04-01 09:30:00",
            staff=2,
            poster="Nils Berg",
            fmt="text",
        ),
    ],  # fmt: skip
    "ost_thread_event": [
        {
            "id": 1,
            "thread_id": 2,
            "staff_id": 2,
            "team_id": 0,
            "dept_id": 2,
            "topic_id": 2,
            "state": "closed",
            "data": '{"status":[3,"Closed"]}',
            "username": "nils",
            "uid": 2,
            "uid_type": "S",
            "annulled": 0,
            "timestamp": "2024-03-06 09:30:00",
        },
        {
            "id": 2,
            "thread_id": 6,
            "staff_id": 2,
            "team_id": 0,
            "dept_id": 2,
            "topic_id": 2,
            "state": "closed",
            "data": '{"status":[2,"Resolved"]}',
            "username": "nils",
            "uid": 2,
            "uid_type": "S",
            "annulled": 0,
            "timestamp": "2024-04-02 10:00:00",
        },
        {
            "id": 3,
            "thread_id": 6,
            "staff_id": 0,
            "team_id": 0,
            "dept_id": 2,
            "topic_id": 2,
            "state": "reopened",
            "data": None,
            "username": "Jane Doe",
            "uid": 3,
            "uid_type": "U",
            "annulled": 0,
            "timestamp": "2024-04-03 10:00:00",
        },
    ],  # fmt: skip
    "ost_file": [
        {
            "id": 1,
            "ft": "T",
            "bk": "D",
            "type": "image/png",
            "size": len(PNG),
            "key": "kY1cVJ7xqAH1mO1o",
            "signature": "b3f1d5Zy",
            "name": "screenshot.png",
            "attrs": None,
            "created": "2024-03-04 08:15:00",
        },
    ],  # fmt: skip
    "ost_file_chunk": [{"file_id": 1, "chunk_id": 0, "filedata": PNG}],
    # osTicket 1.11+: the name the ticket shows, over the file's own.
    "ost_attachment": [
        {
            "id": 1,
            "object_id": 1,
            "type": "H",
            "file_id": 1,
            "name": "vpn-fehler.png",
            "inline": 0,
            "lang": None,
        }
    ],
    "ost_faq_category": [
        {
            "category_id": 1,
            "ispublic": 1,
            "name": "Network",
            "description": "VPN, Wi-Fi and cabling",
            "notes": "",
            "created": T0,
            "updated": T0,
        },
    ],  # fmt: skip
    "ost_faq": [
        {
            "faq_id": 1,
            "category_id": 1,
            "ispublished": 1,
            "question": "How do I reset my VPN password?",
            "answer": "<p>Open <b>vpn.example</b> and choose <i>Forgot password</i>.</p>",
            "keywords": "vpn password",
            "notes": "",
            "created": "2024-02-01 10:00:00",
            "updated": "2024-02-03 11:00:00",
        },
        {
            "faq_id": 2,
            "category_id": 1,
            "ispublished": 0,
            "question": "Wi-Fi for guests (draft)",
            "answer": "<p>Not yet decided.</p>",
            "keywords": "",
            "notes": "",
            "created": "2024-02-05 10:00:00",
            "updated": "2024-02-05 10:00:00",
        },
    ],  # fmt: skip
}
