"""Notification delivery throughput: one Celery worker, a local SMTP sink, N outbox rows.

    DATABASE_URL=postgres://… REDIS_URL=redis://…/N python bench/notify_throughput.py [-n 1000]
        [--pool solo|threads] [--concurrency 1]

For each way of enqueueing — one task per notification (what a stream of separate changes produces) and
chunks of ``DELIVERY_CHUNK`` ids (what the redispatch produces) — it writes N pending notifications on a
scratch ticket (rendered once, as the receiver would), enqueues their tasks, then starts ONE worker
(``celery -A helpdesk worker``) with ``EMAIL_URL`` pointing at a local aiosmtpd sink (its own process) and
measures from "worker ready" until every row is ``sent``: the worker's delivery rate, not the producer's.
Cleans up after itself. Target: ≥ 50 emails/s.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings_test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_line(log: Path, needle: bytes, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in log.read_bytes():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    raise SystemExit(f"{proc.args[:4]} did not start:\n{log.read_text()[-3000:]}")


def start_sink(port: int, tmp: Path) -> subprocess.Popen:
    """aiosmtpd's Sink handler: accepts every mail and throws it away."""
    cmd = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise SystemExit("SMTP sink did not start")


def start_worker(smtp_port: int, tmp: Path, pool: str, concurrency: int) -> tuple[subprocess.Popen, Path]:
    log = tmp / f"worker-{uuid.uuid4().hex[:6]}.log"
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": os.environ.get("BENCH_WORKER_LOG_LEVEL", "WARNING"),
    }
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "-P", pool, "-c", str(concurrency),
         "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"bench-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    return proc, log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="notifications per run")
    parser.add_argument("--pool", default="solo", help="worker pool: solo (one at a time) or threads")
    parser.add_argument("--concurrency", type=int, default=1, help="threads, with --pool threads")
    args = parser.parse_args()

    import django

    django.setup()
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
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}; broker: {settings.CELERY_BROKER_URL.split('@')[-1]}"
    )
    print(
        f"one worker process: pool={args.pool} concurrency={args.concurrency}; load average {os.getloadavg()[0]:.1f}"
    )

    tmp = Path(tempfile.mkdtemp(prefix="notify-bench-"))
    port = free_port()
    sink = start_sink(port, tmp)
    tag = uuid.uuid4().hex[:8]
    user = User.objects.create(username=f"bench-{tag}", email=f"bench-{tag}@example.com", language="de")
    ticket = Ticket.objects.create(subject="Benchmark", description="x", requester=user)
    language, subject, text, html = notification_render(
        kind="received", ticket=ticket, recipient=user, event=None
    )
    celery_app.control.purge()
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
            with celery_app.pool.acquire(block=True) as conn:
                for i in range(0, len(ids), chunk):
                    deliver_notifications.apply_async(args=[ids[i : i + chunk]], connection=conn)
            worker, log = start_worker(port, tmp, args.pool, args.concurrency)
            try:
                wait_for_line(log, b" ready.", worker)
                started = time.monotonic()
                pending = Notification.objects.filter(pk__in=ids).exclude(status="sent")
                while pending.exists():
                    if worker.poll() is not None:
                        raise SystemExit(f"worker died:\n{log.read_text()[-3000:]}")
                    time.sleep(0.05)
                elapsed = time.monotonic() - started
            finally:
                worker.kill()
                worker.wait()
            print(f"{label:28s} {args.n} emails in {elapsed:6.2f} s = {args.n / elapsed:7.1f} emails/s")
            if os.environ.get("BENCH_KEEP_LOG"):
                print("worker log:", log)
    finally:
        sink.kill()
        sink.wait()
        Ticket.objects.filter(pk=ticket.pk).delete()  # its notifications and events go with it
        user.delete()


if __name__ == "__main__":
    main()
