"""Agents' notifications at scale: ``DATABASE_URL=… python bench/notifications_inbox.py``.

Against a database loaded with ``manage.py seed_load`` (1M tickets): writes ``--items`` in-app items spread
over the load's agents (one of them, the bench agent, gets ``--mine`` of them, a quarter unread), then
measures in-process, sequentially:

* the unread count of the top bar's badge (``inapp_unread_count``) and its plan;
* a page of the notification list (``inapp_list``);
* an internal note (``tickets.services.message_add``) without mentions, with two mentions, and with two
  mentions on a ticket five agents follow — each in a transaction that is rolled back, so nothing is
  enqueued and the database is left as it was.

The items written are deleted at the end. Prints p50 / p95 in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")  # no query log
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from notifications import inbox  # noqa: E402
from notifications.mentions import token  # noqa: E402
from notifications.models import InAppNotification, TicketFollower, Topic  # noqa: E402
from notifications.selectors import INBOX_ORDER, inapp_list, inapp_unread_count  # noqa: E402
from tickets.models import Ticket, TicketEvent  # noqa: E402
from tickets.services import message_add  # noqa: E402

MARK = "bench/notifications_inbox.py"


class Rollback(Exception):
    pass


def timed(fn, runs: int) -> tuple[float, float]:  # noqa: ANN001
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def rolled_back(fn):  # noqa: ANN001, ANN201
    def run() -> None:
        try:
            with transaction.atomic():
                fn()
                raise Rollback
        except Rollback:
            pass

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--mine", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    agents = list(User.objects.filter(role=User.Role.AGENT, is_active=True).order_by("pk")[:200])
    me, others = agents[0], agents[1:]
    events = list(TicketEvent.objects.order_by("-pk").values_list("pk", "ticket_id")[: args.mine * 3])
    print(f"{Ticket.objects.count():,} tickets, {len(agents)} agents; writing {args.items:,} items …")
    now = django.utils.timezone.now()
    rows = []
    for n in range(args.items):
        user = me if n < args.mine else others[n % len(others)]
        event_id, ticket_id = events[n % len(events)]
        unread = n % 4 == 0 if user is me else n % 3 == 0
        rows.append(
            InAppNotification(
                recipient=user,
                ticket_id=ticket_id,
                event_id=event_id,
                topic=Topic.NOTE,
                excerpt=MARK,
                read_at=None if unread else now,
            )
        )
    # ignore_conflicts: one item per (event, recipient); a repeated pair is skipped.
    InAppNotification.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_inappnotification")
    try:
        print(f"bench agent's items: {InAppNotification.objects.filter(recipient=me).count():,}")
        print(f"unread count = {inapp_unread_count(user=me):,}")
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN SELECT COUNT(*) FROM notifications_inappnotification"
                " WHERE recipient_id = %s AND read_at IS NULL",
                [me.pk],
            )
            print("plan:", " / ".join(r[0].strip() for r in cursor.fetchall()[:3]))
        page = InAppNotification.objects.filter(recipient=me).select_related("ticket", "actor", "event")
        plan = page.order_by(*INBOX_ORDER)[:51].explain(analyze=True).splitlines()
        print(
            "list page SQL:",
            plan[-1].strip(),
            "|",
            next(line.strip() for line in plan if "Index" in line)[:80],
        )
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            inapp_list(user=me)
            profile = cProfile.Profile()
            profile.runcall(lambda: [inapp_list(user=me) for _ in range(10)])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(15)
        results = {
            "unread count (badge)": timed(lambda: inapp_unread_count(user=me), args.runs),
            "notification list, first page": timed(lambda: inapp_list(user=me), args.runs),
        }
        ticket = Ticket.objects.get(pk=events[0][1])
        colleagues = others[:2]
        body = f"{token(user=colleagues[0])} and {token(user=colleagues[1])}, please check."
        results["note without mentions"] = timed(
            rolled_back(lambda: message_add(ticket=ticket, author=me, body="Checked.", internal=True)), 50
        )
        results["note with 2 mentions"] = timed(
            rolled_back(lambda: message_add(ticket=ticket, author=me, body=body, internal=True)), 50
        )
        for follower in others[2:7]:
            inbox.ticket_follow(ticket=ticket, user=follower)
        results["note with 2 mentions, 5 followers"] = timed(
            rolled_back(lambda: message_add(ticket=ticket, author=me, body=body, internal=True)), 50
        )
        print(f"{'what':40} {'p50 ms':>8} {'p95 ms':>8}")
        for name, (p50, p95) in results.items():
            print(f"{name:40} {p50:8.2f} {p95:8.2f}")
    finally:
        InAppNotification.objects.filter(excerpt=MARK).delete()
        TicketFollower.objects.filter(ticket_id=events[0][1]).delete()


if __name__ == "__main__":
    main()
