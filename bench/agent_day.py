"""Bench: the agent's day at a million tickets — next/previous ticket (keyset neighbours) and the
time report — against a loaded database (``make seed-load``; docs/agent-day.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_load python bench/agent_day.py [--entries N]

Neighbours: for a load agent, 40 tickets from the first page of each queue tab × sort, the two
keyset queries of ``queue_neighbours`` each; p50 / p95 / max. Time report: ``--entries`` time
entries (default 300,000, spread over a year on random tickets and agents) are inserted inside a
transaction that is rolled back at the end (the database is left as it was), then the report of the
last 30 and 365 days (four grouped queries) and one ticket's totals are timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402


def _ms(samples: list[float]) -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, int(len(s) * 0.95))]
    return f"p50 {statistics.median(s):6.1f} ms  p95 {p95:6.1f} ms  max {s[-1]:6.1f} ms  (n={len(s)})"


def bench_neighbours() -> None:
    from accounts.models import User
    from tickets.workspace import agent_queue, queue_neighbours

    agent = (
        User.objects.filter(role=User.Role.AGENT, teams__isnull=False, is_active=True).order_by("pk").first()
    )
    print(f"neighbours as {agent.username} (teams: {', '.join(t.name for t in agent.teams.all())})")
    for tab in ("open", "team", "mine", "unassigned"):
        for sort in ("newest", "resolution_due", "priority", "updated"):
            rows = agent_queue(user=agent, tab=tab, filters={}, sort=sort, cursor="", limit=40).rows
            if not rows:
                continue
            samples = []
            for ticket in rows:
                t0 = time.perf_counter()
                queue_neighbours(user=agent, tab=tab, filters={}, sort=sort, ticket=ticket)
                samples.append((time.perf_counter() - t0) * 1000)
            print(f"  {tab:10s} {sort:15s} {_ms(samples)}")


def bench_time_report(entries: int) -> None:
    from timetracking.selectors import TimeFilters, ticket_time_summary, time_report

    with transaction.atomic():
        with connection.cursor() as c:
            c.execute("SELECT min(id), max(id) FROM tickets_ticket")
            lo, hi = c.fetchone()
            c.execute("SELECT array_agg(id) FROM accounts_user WHERE role = 'agent'")
            (agents,) = c.fetchone()
            t0 = time.perf_counter()
            c.execute(
                """
                INSERT INTO timetracking_timeentry
                    (ticket_id, agent_id, tier, team_id, customer_id, date, minutes, note, billable, source, created_at, updated_at)
                SELECT t.id, (%(agents)s::bigint[])[1 + (g %% array_length(%(agents)s::bigint[], 1))], t.tier, t.team_id, t.requester_id,
                       (now() - (g %% 365) * interval '1 day')::date, 5 + (g %% 90), '', g %% 3 = 0, 'manual', now(), now()
                FROM generate_series(1, %(n)s) AS g
                JOIN tickets_ticket t ON t.id = %(lo)s + (g::bigint * 7919) %% (%(hi)s - %(lo)s + 1)
                """,
                {"agents": agents, "n": entries, "lo": lo, "hi": hi},
            )
            inserted = c.rowcount
            c.execute("ANALYZE timetracking_timeentry")
        print(
            f"time report over {inserted:,} entries (inserted in {time.perf_counter() - t0:.1f} s, rolled back after)"
        )
        today = timezone.localdate()
        for days in (30, 365):
            f = TimeFilters(date_from=today - timedelta(days=days - 1), date_to=today)
            samples = []
            for _i in range(7):
                t0 = time.perf_counter()
                report = time_report(f, limit=50)
                samples.append((time.perf_counter() - t0) * 1000)
            print(
                f"  last {days:3d} days: {report['entries']:>7,} entries, top {len(report['by_customer'])} customers  "
                f"{_ms(samples)}"
            )
        with connection.cursor() as c:
            c.execute("SELECT ticket_id FROM timetracking_timeentry ORDER BY id DESC LIMIT 1")
            (ticket_id,) = c.fetchone()
        from tickets.models import Ticket

        ticket = Ticket.objects.get(pk=ticket_id)
        samples = []
        for _i in range(20):
            t0 = time.perf_counter()
            ticket_time_summary(ticket=ticket)
            samples.append((time.perf_counter() - t0) * 1000)
        print(f"  one ticket's totals:  {_ms(samples)}")
        transaction.set_rollback(True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=300_000)
    args = parser.parse_args()
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM tickets_ticket")
        print(f"{c.fetchone()[0]:,} tickets")
    bench_neighbours()
    bench_time_report(args.entries)


if __name__ == "__main__":
    main()
