"""Notification delivery throughput: one Celery worker, a local SMTP sink, N outbox rows.

    DATABASE_URL=postgres://… REDIS_URL=redis://…/N python bench/notify_throughput.py [-n 1000]

Creates a scratch ticket with N pending notifications (rendered once, as the receiver would), starts
``celery -A helpdesk worker -P solo`` (one process) with ``EMAIL_URL`` pointing at an aiosmtpd sink in this
process, enqueues the ids and measures until every row is ``sent`` and every mail has arrived. Two ways
of enqueueing: one task per notification (what a stream of separate changes produces) and chunks of
``DELIVERY_CHUNK`` ids (what the redispatch produces). Cleans up after itself. Target: ≥ 50 emails/s.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings_test")


class Sink:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        with self.lock:
            self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_worker(smtp_port: int, var_dir: str, pool: str, concurrency: int) -> subprocess.Popen:
    log = Path(var_dir) / "bench-worker.log"
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "WARNING",
        "HELPDESK_VAR_DIR": os.environ.get("HELPDESK_VAR_DIR", str(ROOT / "var")),
    }
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "-P", pool, "-c", str(concurrency), "-l", "info",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"bench-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if b" ready." in log.read_bytes():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise SystemExit(f"worker did not start:\n{log.read_text()[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="notifications per run")
    parser.add_argument(
        "--pool", default="solo", help="worker pool: solo (one process, one at a time) or threads"
    )
    parser.add_argument("--concurrency", type=int, default=1, help="threads, with --pool threads")
    args = parser.parse_args()

    import django

    django.setup()
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import User
    from helpdesk.celery import app as celery_app
    from notifications.models import Notification
    from notifications.services import DELIVERY_CHUNK, notification_render
    from notifications.tasks import deliver_notifications
    from tickets.models import Ticket

    call_command("migrate", verbosity=0)
    db = settings.DATABASES["default"]
    print(
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}, broker: {settings.CELERY_BROKER_URL.split('@')[-1]}"
    )

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    tag = uuid.uuid4().hex[:8]
    user = User.objects.create(username=f"bench-{tag}", email=f"bench-{tag}@example.com", language="de")
    ticket = Ticket.objects.create(subject="Benchmark", description="x", requester=user)
    language, subject, text, html = notification_render(
        kind="received", ticket=ticket, recipient=user, event=None
    )
    celery_app.control.purge()
    var_dir = tempfile.mkdtemp(prefix="notify-bench-")
    worker = start_worker(port, var_dir, args.pool, args.concurrency)
    print(f"one worker process: pool={args.pool} concurrency={args.concurrency}")
    try:
        for label, chunk in (
            ("one task per notification", 1),
            (f"chunks of {DELIVERY_CHUNK}", DELIVERY_CHUNK),
        ):
            rows = [
                Notification(
                    ticket=ticket, recipient=user, address=user.email, kind="received", language=language,
                    subject=subject, body_text=text, body_html=html, idempotency_key=f"bench:{tag}:{chunk}:{i}",
                    message_id=f"<bench.{tag}.{chunk}.{i}@localhost>",
                )
                for i in range(args.n)
            ]  # fmt: skip
            Notification.objects.bulk_create(rows, batch_size=500)
            ids = list(
                Notification.objects.filter(idempotency_key__startswith=f"bench:{tag}:{chunk}:")
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            before = sink.count
            started = time.monotonic()
            with celery_app.pool.acquire(block=True) as conn:
                for i in range(0, len(ids), chunk):
                    deliver_notifications.apply_async(args=[ids[i : i + chunk]], connection=conn)
            enqueued = time.monotonic() - started
            while sink.count - before < args.n:
                if worker.poll() is not None:
                    raise SystemExit("worker died")
                time.sleep(0.02)
            while Notification.objects.filter(pk__in=ids).exclude(status="sent").exists():
                time.sleep(0.02)
            elapsed = time.monotonic() - started
            print(
                f"{label:28s} {args.n} emails in {elapsed:6.2f} s = {args.n / elapsed:7.1f} emails/s "
                f"(enqueueing took {enqueued:.2f} s)"
            )
    finally:
        worker.kill()
        worker.wait()
        controller.stop()
        Ticket.objects.filter(pk=ticket.pk).delete()  # its notifications and events go with it
        user.delete()


if __name__ == "__main__":
    main()
