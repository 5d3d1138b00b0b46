"""Ingest throughput from a local IMAP server (dovecot), one process — the work of one worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_bench_mail python bench/mail_ingest.py [N]

Needs root and dovecot (apt-get install dovecot-imapd). Migrates the given database, appends N
mails (half new requests, half replies by reply token) and times `mailbox_fetch`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from accounts.models import Team  # noqa: E402
from mailin.models import InboundMail, Mailbox  # noqa: E402
from mailin.services import mailbox_fetch  # noqa: E402
from notifications.threading import reply_address  # noqa: E402
from tests.mailin.conftest import dovecot, make_mail  # noqa: E402
from tickets.models import Ticket  # noqa: E402


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    Team.objects.get_or_create(name="Service Desk", defaults={"tier": 1, "is_default_for_tier": True})
    with dovecot() as server:
        os.environ["BENCH_IMAP_PASSWORD"] = server.password
        box, _ = Mailbox.objects.update_or_create(
            name="bench",
            defaults={
                "address": "support@example.com",
                "host": server.host,
                "port": server.port,
                "use_ssl": False,
                "username": server.user,
                "password_env": "BENCH_IMAP_PASSWORD",
            },
        )
        run = int(time.time())
        for i in range(n // 2):
            server.append(make_mail(sender=f"bench{run}-{i}@example.com", subject=f"Bench {run} {i}"))
        t0, c0 = time.perf_counter(), time.process_time()
        first = mailbox_fetch(mailbox=box)
        t_new, c_new = time.perf_counter() - t0, time.process_time() - c0
        tickets = Ticket.objects.filter(subject__startswith=f"Bench {run} ").select_related("requester")
        for t in tickets:
            server.append(
                make_mail(
                    sender=t.requester.email, to=reply_address(ticket=t, address=box.address), body="Reply"
                )
            )
        t0, c0 = time.perf_counter(), time.process_time()
        second = mailbox_fetch(mailbox=box)
        t_reply, c_reply = time.perf_counter() - t0, time.process_time() - c0
    done = InboundMail.objects.filter(pk__in=first + second, status="processed").count()
    total = len(first) + len(second)
    print(f"new requests: {len(first)} in {t_new:.2f} s = {len(first) / t_new:.1f} mails/s")
    print(f"replies:      {len(second)} in {t_reply:.2f} s = {len(second) / t_reply:.1f} mails/s")
    print(f"overall:      {total / (t_new + t_reply):.1f} mails/s ({done}/{total} processed; target ≥ 20/s)")
    print(
        f"CPU of this process: {1000 * c_new / len(first):.1f} / {1000 * c_reply / len(second):.1f} ms a mail"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
