"""Thin Celery tasks: ids in, a service call, safe to run twice (the claim makes them so)."""

from __future__ import annotations

import smtplib
import threading
import time
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection

from . import services

_local = threading.local()


# A session idle for less than this is used without a NOOP first (a burst of small tasks saves a round
# trip each); one idle longer may have been dropped by the server and is checked.
IDLE_CHECK_SECONDS = 5.0


def _mail_connection() -> Any:
    """One mail connection per worker thread, kept between tasks.

    A stream of changes makes many small tasks; connect + EHLO + QUIT per task would cost more than the
    mail itself. Keyed by the mail settings, and checked with NOOP after being idle, so a server that
    dropped the idle session gets a fresh one instead of a failed delivery attempt.
    """
    key = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)
    cached = getattr(_local, "mail", None)
    now = time.monotonic()
    if cached is not None and cached[0] == key:
        connection, last_used = cached[1], cached[2]
        smtp = getattr(connection, "connection", None)
        if smtp is not None and now - last_used > IDLE_CHECK_SECONDS:
            try:
                smtp.noop()
            except (smtplib.SMTPException, OSError):
                services.mail_connection_close(connection)
        _local.mail = (key, connection, now)
        return connection
    if cached is not None:
        services.mail_connection_close(cached[1])
    connection = get_connection(fail_silently=False)
    _local.mail = (key, connection, now)
    return connection


@shared_task(name="notifications.tasks.deliver_notifications")
def deliver_notifications(ids: list[int]) -> int:
    # acks_late (settings) + the claim's lease: a worker killed here leaves the rows for another one.
    return services.notification_deliver_batch(pks=ids, connection=_mail_connection())


@shared_task(name="notifications.tasks.redispatch_pending")
def redispatch_pending() -> int:
    return services.notification_redispatch()


@shared_task(name="notifications.tasks.expand_fanouts")
def expand_fanouts(event_id: int) -> int:
    # Safe to run twice: an expanded fan-out is skipped, and its rows' idempotency keys stop duplicates.
    return len(services.notification_fanouts_expand(event_id=event_id))
