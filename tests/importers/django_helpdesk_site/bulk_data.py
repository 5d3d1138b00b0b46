"""A large django-helpdesk data set written straight into its tables (made by its own migrations, see
``make_schema.py``): for the import bench (bench/importers.py) and the crash-and-resume test.

``fill(conn, vendor, tickets=N, per_ticket=M)`` writes 4 queues, 5 agents, N tickets from 20,000
customers (addresses without accounts, as mail submitters are) and M follow-ups per ticket
(customer mail, agent replies, an internal note in every third ticket, the last follow-up
resolving or closing the ticket when it is). ``vendor`` is "sqlite" (sqlite3, executemany) or
"postgresql" (psycopg 3, COPY). Plain Python: runs without Django.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2022, 1, 3, 8, 0, tzinfo=UTC)
QUEUES = [(1, "Hardware", "hw"), (2, "Software", "sw"), (3, "Network", "net"), (4, "Accounts", "acc")]
AGENTS = [(1, "anna"), (2, "ben"), (3, "cleo"), (4, "dave"), (5, "eve")]
CUSTOMERS = 20_000
CHUNK = 5_000

TICKET_COLUMNS = [
    "id", "title", "created", "modified", "submitter_email", "status", "on_hold", "description",
    "resolution", "priority", "assigned_to_id", "queue_id", "secret_key",
]  # fmt: skip
FOLLOWUP_COLUMNS = ["id", "date", "title", "comment", "public", "new_status", "ticket_id", "user_id"]


def _ts(vendor: str, value: datetime) -> Any:
    return value.strftime("%Y-%m-%d %H:%M:%S") if vendor == "sqlite" else value


def _write(conn: Any, vendor: str, table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    if vendor == "sqlite":
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows)
        return
    with conn.cursor() as cur, cur.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def fill(conn: Any, vendor: str, *, tickets: int, per_ticket: int, first_id: int = 1) -> dict[str, int]:
    """Write the data set (ticket ids from ``first_id``). Returns the counts written."""
    ts = lambda v: _ts(vendor, v)  # noqa: E731
    if first_id == 1:
        users = [
            (i, "!", False, name, name.title(), "Agent", f"{name}@helpdesk.example", True, True, ts(T0), None)
            for i, name in AGENTS
        ]
        _write(
            conn,
            vendor,
            "auth_user",
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "last_login",
            ],  # fmt: skip
            users,
        )
        _write(
            conn,
            vendor,
            "helpdesk_queue",
            [
                "id",
                "title",
                "slug",
                "allow_public_submission",
                "allow_email_submission",
                "email_box_ssl",
                "enable_notifications_on_email_events",
            ],  # fmt: skip
            [(i, title, slug, True, True, False, False) for i, title, slug in QUEUES],
        )
    followup_id = (first_id - 1) * per_ticket + 1
    ticket_rows: list[tuple] = []
    followup_rows: list[tuple] = []
    written = {"tickets": 0, "followups": 0}
    for tid in range(first_id, first_id + tickets):
        created = T0 + timedelta(minutes=7 * tid)
        kind = tid % 10  # 0-5 closed, 6-7 resolved, 8-9 open
        status = 4 if kind <= 5 else 3 if kind <= 7 else 1
        agent = AGENTS[tid % len(AGENTS)][0]
        last = created
        for n in range(per_ticket):
            at = created + timedelta(hours=2 * n + 1)
            last = at
            final = n == per_ticket - 1
            internal = tid % 3 == 0 and n == 1
            from_agent = n % 2 == 1 or final
            new_status = status if final and status != 1 else None
            comment = (
                f"Internal: checked the logs for ticket {tid}."
                if internal
                else f"Reply {n} on ticket {tid}: we are looking into it, please try again."
                if from_agent
                else f"Message {n} from the customer about ticket {tid}: it still does not work."
            )
            followup_rows.append(
                (
                    followup_id,
                    ts(at),
                    "Comment",
                    comment,
                    not internal,
                    new_status,
                    tid,
                    agent if from_agent else None,
                )  # fmt: skip
            )
            followup_id += 1
        ticket_rows.append(
            (
                tid,
                f"Ticket {tid}: printer on floor {tid % 9} does not print",
                ts(created),
                ts(last + timedelta(minutes=5)),
                f"customer{tid % CUSTOMERS}@customer.example",
                status,
                False,
                f"Since this morning the printer on floor {tid % 9} prints nothing (ticket {tid}).",
                "Replaced the toner." if status != 1 else None,
                1 + tid % 5,
                agent,
                QUEUES[tid % len(QUEUES)][0],
                str(uuid.UUID(int=tid)),
            )
        )
        if len(ticket_rows) >= CHUNK:
            _write(conn, vendor, "helpdesk_ticket", TICKET_COLUMNS, ticket_rows)
            _write(conn, vendor, "helpdesk_followup", FOLLOWUP_COLUMNS, followup_rows)
            written["tickets"] += len(ticket_rows)
            written["followups"] += len(followup_rows)
            ticket_rows, followup_rows = [], []
            conn.commit()
    _write(conn, vendor, "helpdesk_ticket", TICKET_COLUMNS, ticket_rows)
    _write(conn, vendor, "helpdesk_followup", FOLLOWUP_COLUMNS, followup_rows)
    written["tickets"] += len(ticket_rows)
    written["followups"] += len(followup_rows)
    conn.commit()
    return written
