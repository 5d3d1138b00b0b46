"""Bench: the time-rule sweep over 100,000 pending tickets of a million (target ≤ 2 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_load_copy python bench/rules.py [--pending N] [--due N] [--batch N]

Runs against the database in ``DATABASE_URL``: a copy of the load data (``make seed-load``; never your
only copy — it changes tickets). It makes ``--pending`` tickets pending (turning the newest others pending
where the load has fewer), ``--due`` of them pending for just over three days and the rest for
less, saves the rule "pending for 3 days → add a tag and an internal note" (as the demo's reminder
rule), and times:

1. the sweep that fires the rule for the ``--due`` tickets (set-based, 500 a batch: the tag rows, the
   notes, two events a ticket through ``event_record_bulk`` with every receiver, the log rows; the
   same result as ticket by ticket, see tests/automation/test_time_sweep_bulk.py), and
2. the sweep right after (nothing left to do: one query finds nothing over the 100,000).

``--due 100000`` makes every pending ticket due at once (the worst case: 100,000 tags, notes, 200,000
events and log rows in one sweep). Why 500 due by default: 100,000 pending tickets that stay pending for a few days on average cross
the three-day mark at about 100,000 / (3 × 1,440) ≈ 23 a minute; the beat runs the sweep every five
minutes, so about 115 per sweep, and 500 is a burst four times that. The rule and its log rows are
removed at the end; the tickets keep their changes (it is a copy).
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
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402


def prepare(pending: int, due: int) -> list[int]:
    """``pending`` pending tickets, ``due`` of them pending since 3 days and an hour; returns their ids."""
    from tickets.models import Ticket

    now = timezone.now()
    ids = list(Ticket.objects.filter(status="pending").order_by("-id").values_list("id", flat=True)[:pending])
    if len(ids) < pending:
        more = list(
            Ticket.objects.exclude(status="pending")
            .order_by("-id")
            .values_list("id", flat=True)[: pending - len(ids)]
        )
        Ticket.objects.filter(pk__in=more).update(status="pending")
        ids += more
    with transaction.atomic():
        # Not yet three days: between one hour and two days and a half.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tickets_ticket SET sla_paused_at = %s - (id %% 200000) * interval '1 second' - interval '1 hour'"
                " WHERE id = ANY(%s)",
                [now, ids],
            )
        Ticket.objects.filter(pk__in=ids[:due]).update(sla_paused_at=now - timedelta(days=3, hours=1))
        # A run before tagged them: untagged again, so every run adds the tag (not only the note).
        Ticket.tags.through.objects.filter(ticket_id__in=ids, tag__name="reminded").delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=500)
    parser.add_argument("--batch", type=int, default=None, help="tickets a batch (default: the sweep's)")
    parser.add_argument(
        "--one-by-one", action="store_true", help="fire ticket by ticket, as before the set-based sweep"
    )
    args = parser.parse_args()
    if not settings.IS_POSTGRES:
        sys.exit("Set DATABASE_URL to a PostgreSQL copy of the load data.")

    from accounts.models import User
    from automation.models import Rule, Run
    from automation.services import rule_save, rules_time_sweep
    from tickets.models import Ticket

    t0 = time.perf_counter()
    prepare(args.pending, args.due)
    total = Ticket.objects.count()
    pending = Ticket.objects.filter(status="pending").count()
    print(f"{total:,} tickets, {pending:,} pending (prepared in {time.perf_counter() - t0:.1f} s)")
    supervisor, _new = User.objects.get_or_create(
        username="bench-supervisor", defaults={"role": User.Role.SUPERVISOR}
    )
    Rule.objects.filter(name="Bench reminder").delete()
    rule = rule_save(
        user=supervisor,
        name="Bench reminder",
        trigger="time",
        since="pending",
        hours=72,
        actions=[
            {"type": "add_tags", "value": ["reminded"]},
            {"type": "note", "body": "Pending for three days: remind {customer_name}."},
        ],
    )
    set_based = False if args.one_by_one else None
    extra = {"batch_size": args.batch} if args.batch else {}
    try:
        t0 = time.perf_counter()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            with cProfile.Profile() as prof:
                counts = rules_time_sweep(set_based=set_based, **extra)
            pstats.Stats(prof).sort_stats(os.environ["BENCH_PROFILE"]).print_stats(30)
        else:
            counts = rules_time_sweep(set_based=set_based, **extra)
        first = time.perf_counter() - t0
        print(f"sweep 1: {first:.3f} s  fired {counts[rule.pk]}")
        t0 = time.perf_counter()
        counts = rules_time_sweep()
        idle = time.perf_counter() - t0
        print(f"sweep 2: {idle:.3f} s  fired {counts[rule.pk]} (nothing left to do)")
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(
            f"RESULT rules_sweep{' one-by-one' if args.one_by_one else ''} pending={pending} due={args.due} batch={args.batch or 'default'} first={first:.3f}s idle={idle:.3f}s"
        )
    finally:
        Run.objects.filter(rule=rule).delete()
        rule.delete()


if __name__ == "__main__":
    main()
