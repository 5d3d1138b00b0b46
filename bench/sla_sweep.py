"""Bench: one SLA sweep over 100,000 open tickets on PostgreSQL (target ≤ 2 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk python bench/sla_sweep.py [--tickets N] [--crossing N]

Runs in a throwaway test database (``test_<name>``, created and dropped here; your data is not
touched). Of the open tickets, ``--crossing`` have just passed their first-response warning
threshold and as many their due time, as after a minute of a busy helpdesk; the rest are not due.
Prints the time of that sweep, and of the next one (nothing left to do).

Why 250 + 250 by default: each ticket crosses at most four thresholds in its life; 100,000 open
tickets living a week make about 4 × 100,000 / 10,080 ≈ 40 crossings a minute, so 500 in one sweep
is a burst more than ten times the steady rate (``--crossing 1000`` for a heavier one). Set
``BENCH_PROFILE=cumulative`` (or ``tottime``) to print a profile of the first sweep.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

BATCH = 10_000


def populate(n: int, crossing: int) -> None:
    from accounts.models import User
    from sla import demo
    from sla.models import SlaPolicy, TicketSla
    from tickets.models import Ticket

    requester = User.objects.create(username="bench-customer", role=User.Role.CUSTOMER)
    policy = SlaPolicy.objects.create(
        name="Bench 24/7", calendar=demo.always_open_calendar(), is_default=True
    )
    now = timezone.now()
    fr = timedelta(minutes=policy.p3_first_response)
    res = timedelta(minutes=policy.p3_resolution)
    warn = policy.warning_percent / 100
    for start in range(0, n, BATCH):
        tickets = []
        for i in range(start, min(n, start + BATCH)):
            if i < crossing:  # past the warning threshold, before the due time
                created = now - fr * (warn + (1 - warn) / 2)
            elif i < 2 * crossing:  # past the due time
                created = now - fr - timedelta(seconds=30)
            else:  # not due for a while
                created = now - timedelta(seconds=i % 600)
            tickets.append(
                Ticket(
                    subject=f"Bench {i}",
                    description="d",
                    requester=requester,
                    status="open" if i % 2 else "new",
                    priority="P3",
                    created_at=created,
                    updated_at=created,
                    first_response_due=created + fr,
                    resolution_due=created + res,
                )
            )
        Ticket.objects.bulk_create(tickets)
        TicketSla.objects.bulk_create(
            TicketSla(
                ticket=t,
                policy=policy,
                started_at=t.created_at,
                tier_since=t.created_at,
                first_response_due=t.first_response_due,
                first_response_warn_at=t.created_at + fr * warn,
                resolution_due=t.resolution_due,
                resolution_warn_at=t.created_at + res * warn,
            )
            for t in tickets
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--crossing", type=int, default=250)
    args = parser.parse_args()
    if not settings.IS_POSTGRES:
        sys.exit("Set DATABASE_URL to a PostgreSQL server: the bench measures the PostgreSQL sweep.")

    from sla.models import SlaAlert
    from sla.services import sla_sweep
    from tickets.models import Ticket

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        t0 = time.perf_counter()
        populate(args.tickets, args.crossing)
        print(f"created {Ticket.objects.count():,} open tickets in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            with cProfile.Profile() as prof:
                counts = sla_sweep()
            pstats.Stats(prof).sort_stats(os.environ["BENCH_PROFILE"]).print_stats(30)
        else:
            counts = sla_sweep()
        first = time.perf_counter() - t0
        print(f"sweep 1: {first:.3f} s  recorded {counts}")
        t0 = time.perf_counter()
        counts = sla_sweep()
        second = time.perf_counter() - t0
        print(f"sweep 2: {second:.3f} s  recorded {counts} (nothing left to do)")
        print(f"alerts in the database: {SlaAlert.objects.count():,}")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(
            f"RESULT sla_sweep tickets={args.tickets} crossing={2 * args.crossing} first={first:.3f}s idle={second:.3f}s"
        )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
