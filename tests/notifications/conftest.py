"""Fixtures of the notification tests: a real local SMTP server and a Celery app that runs tasks in-process."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from helpdesk.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpSink:
    """What a local aiosmtpd server received. ``slow_first`` holds the first transaction in RCPT."""

    host: str = "127.0.0.1"
    port: int = 0
    slow_first: float = 0.0
    reject_first: str = ""  # e.g. "451 Try again later" or "550 No such user"
    messages: list[EmailMessage] = field(default_factory=list)
    first_started: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _rcpts: int = 0
    sessions: int = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: ANN001, ANN201
        with self._lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201
        with self._lock:
            self._rcpts += 1
            first = self._rcpts == 1
        if first and self.reject_first:
            return self.reject_first
        if first and self.slow_first:
            self.first_started.set()
            await asyncio.sleep(self.slow_first)  # the client (a worker) is killed while waiting here
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(msg)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        return self.messages


def start_sink(**kwargs: object) -> tuple[SmtpSink, Controller]:
    sink = SmtpSink(port=free_port(), **kwargs)  # type: ignore[arg-type]
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    return sink, controller


@pytest.fixture
def smtp_sink(request, settings) -> Iterator[SmtpSink]:  # noqa: ANN001
    """A real SMTP server on 127.0.0.1; Django's SMTP backend points at it.

    ``@pytest.mark.parametrize("smtp_sink", [{"reject_first": "451 …"}], indirect=True)`` configures it.
    """
    sink, controller = start_sink(**getattr(request, "param", {}))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks run in this process when enqueued (our real task code, no broker)."""
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = old


def expand_fanouts() -> None:
    """Run the expansion task for every team-wide mail not expanded yet (the worker's job), in-process."""
    from notifications.models import NotificationFanout
    from notifications.tasks import expand_fanouts as task

    for event_id in set(
        NotificationFanout.objects.filter(expanded_at=None).values_list("event_id", flat=True)
    ):
        task(event_id)


@contextmanager
def broker_down() -> Iterator[None]:
    """Inside the block the Celery broker is unreachable: a Redis URL on a port nobody listens on."""
    old_url, old_pool = celery_app.conf.broker_url, celery_app._pool
    celery_app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    celery_app._pool = None  # the app builds a new connection pool from broker_url on first use
    try:
        yield
    finally:
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app.conf.broker_url, celery_app._pool = old_url, old_pool
