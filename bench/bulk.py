"""Bench: one bulk action over 10,000 tickets of the 1M-ticket load data (target ≤ 10 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_load_x REDIS_URL=redis://127.0.0.1:6379/N \\
        python bench/bulk.py [--tickets 10000] [--action status|priority|assignee]

Runs against the database in ``DATABASE_URL`` (a copy of the load data: it **writes**): takes the
newest ``--tickets`` open tickets and applies the action as a worker runs a ``BulkJob``
(``tickets.bulk.bulk_job_step`` chunk by chunk, each chunk one transaction), with every event and
every receiver as in production: the SLA clock, the outbox rows of the notifications (rendered, in
the same transaction) and of the webhooks, and after each commit the enqueueing of their delivery.
Prints the wall time and what was written. ``status`` sets pending (a "waiting for your reply"
mail to every requester), ``assignee`` assigns to one agent (an "assigned to you" mail each),
``priority`` sets P2 (no mail). Run it again to apply the next round (it alternates the value).
``BENCH_PROFILE=cumulative`` prints a profile.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db.models import Max  # noqa: E402


def main() -> None:
    from accounts.models import User
    from notifications.models import Notification
    from tickets import bulk
    from tickets.models import BulkJob, Ticket, TicketEvent

    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--action", default="status", choices=["status", "priority", "assignee"])
    args = parser.parse_args()

    agent = User.objects.filter(role=User.Role.AGENT, is_active=True).exclude(email="").order_by("pk").first()
    qs = Ticket.objects.filter(status__in=[Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.PENDING])
    ids = sorted(qs.order_by("-id").values_list("pk", flat=True)[: args.tickets])
    sample = Ticket.objects.get(pk=ids[0])
    if args.action == "status":
        params = {"status": "open" if sample.status == "pending" else "pending"}
    elif args.action == "priority":
        params = {"priority": "P2" if sample.priority != "P2" else "P3"}
    else:  # to one of two other agents, alternating (nobody is mailed about their own change)
        a, b = (
            User.objects.filter(role=User.Role.AGENT, is_active=True).exclude(pk=agent.pk).order_by("pk")[:2]
        )
        params = {"assignee": (b if sample.assignee_id == a.pk else a).pk}
    event_max = TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0
    note_max = Notification.objects.aggregate(m=Max("id"))["m"] or 0
    job = BulkJob.objects.create(
        created_by=agent, action=args.action, params=params, ticket_ids=ids, total=len(ids)
    )
    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    started = time.perf_counter()
    while bulk.bulk_job_step(job_id=str(job.pk)):
        pass
    elapsed = time.perf_counter() - started
    if profile:
        prof.disable()
        pstats.Stats(prof).sort_stats(profile).print_stats(40)
    job.refresh_from_db()
    events = TicketEvent.objects.filter(id__gt=event_max).count()
    mails = Notification.objects.filter(id__gt=note_max).count()
    print(
        f"bulk {args.action} {params} by {agent.pk} over {len(ids)} tickets: {elapsed:.2f} s "
        f"({len(ids) / elapsed:.0f} tickets/s); {job.summary if hasattr(job, 'summary') else ''}"
        f"changed {job.changed}, skipped {len(job.skipped)}, failed {len(job.failed)}; "
        f"{events} events, {mails} outbox rows"
    )


if __name__ == "__main__":
    main()
