"""Delivering the outbox: claim and lease, backoff, idempotency, redispatch, the mail itself."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from notifications.services import (
    notification_backoff,
    notification_claim,
    notification_deliver,
    notification_deliver_batch,
    notification_redispatch,
)
from tests.factories import UserFactory
from tickets.models import TicketEvent
from tickets.services import message_add, ticket_create

from .conftest import expand_fanouts

pytestmark = pytest.mark.django_db
S = Notification.Status


@pytest.fixture
def greta(db):  # noqa: ANN001
    """A German-speaking customer."""
    return UserFactory(username="greta", first_name="Greta", language="de")


@pytest.fixture
def receipt(alice, tina, network_category) -> Notification:  # noqa: ANN001
    ticket_create(requester=alice, subject="VPN drops", description="x", by=alice, category=network_category)
    expand_fanouts()  # tina's queue mail, as a worker writes it after the commit
    return Notification.objects.get(kind=Notification.Kind.RECEIVED)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nobody listens once the socket is closed


@pytest.fixture
def smtp_down(settings):  # noqa: ANN001
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 2


def test_a_delivered_mail_is_multipart_with_reference_threading_and_auto_submitted_headers(receipt):  # noqa: ANN001
    # when
    assert notification_deliver(pk=receipt.pk) is True
    # then
    receipt.refresh_from_db()
    assert receipt.status == S.SENT
    assert receipt.attempts == 1
    assert receipt.sent_at is not None
    (msg,) = mail.outbox
    assert msg.subject == f"[{receipt.ticket.reference}] Your request has been received: VPN drops"
    assert msg.to == [receipt.address]
    assert msg.extra_headers["Auto-Submitted"] == "auto-generated"
    assert msg.extra_headers["Message-ID"] == receipt.message_id
    assert receipt.message_id.startswith("<")
    assert receipt.message_id.endswith("@localhost>")
    assert msg.alternatives[0].mimetype == "text/html"
    assert "<html" in msg.alternatives[0].content
    assert "Message-ID: " + receipt.message_id in msg.message().as_string()


def test_a_sent_notification_records_an_event_that_makes_no_new_mail(receipt):  # noqa: ANN001
    count = Notification.objects.count()
    notification_deliver(pk=receipt.pk)
    event = TicketEvent.objects.get(kind=TicketEvent.Kind.NOTIFICATION)
    assert event.actor is None
    assert event.data["notification"] == receipt.pk
    assert event.data["kind"] == "received"
    assert Notification.objects.count() == count


def test_delivering_one_notification_takes_two_short_transactions(receipt, django_assert_max_num_queries):  # noqa: ANN001
    # A stream of separate changes makes one task per mail, so this is paid per mail: the claim (begin, no
    # disk flush, update, read back, commit), then the sent mark and its event (begin, no flush, update,
    # insert, commit). Under test the transactions are savepoints; the count is the same.
    with django_assert_max_num_queries(10):
        assert notification_deliver(pk=receipt.pk) is True


def test_a_sent_notification_is_never_sent_again(receipt):  # noqa: ANN001
    assert notification_deliver(pk=receipt.pk) is True
    # when: the same id comes again (duplicate task, redispatch, redelivered message), even much later
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert notification_deliver(pk=receipt.pk) is False
        assert notification_redispatch() == 1  # only tina's queue mail is left pending
    assert len([m for m in mail.outbox if m.to == [receipt.address]]) == 1


def test_a_claim_takes_the_row_once_and_a_lost_worker_lease_runs_out(receipt, settings):  # noqa: ANN001
    settings.NOTIFICATIONS_LEASE_SECONDS = 120
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        # when: the first worker claims it
        (claimed,) = notification_claim(pks=[receipt.pk])
        assert claimed.status == S.SENDING
        assert claimed.attempts == 1
        assert claimed.next_attempt_at == now + timedelta(seconds=120)
        # then: nobody else may take it while the lease runs
        assert notification_claim(pks=[receipt.pk]) == []
    with time_machine.travel(now + timedelta(seconds=119), tick=False):
        assert notification_claim(pks=[receipt.pk]) == []
    # when: the worker died and the lease ran out, another worker takes over
    with time_machine.travel(now + timedelta(seconds=121), tick=False):
        (again,) = notification_claim(pks=[receipt.pk])
        assert again.attempts == 2
        assert notification_deliver(pk=receipt.pk) is False  # still leased by the second worker


def test_the_first_workers_late_success_cannot_mark_a_row_taken_over(receipt, settings):  # noqa: ANN001
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        notification_claim(pks=[receipt.pk])
    with time_machine.travel(now + timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS + 1)):
        # the second worker takes over and sends
        assert notification_deliver(pk=receipt.pk) is True
    receipt.refresh_from_db()
    assert receipt.attempts == 2
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.NOTIFICATION).count() == 1


def test_an_smtp_error_backs_off_exponentially_then_fails(receipt, settings, smtp_down):  # noqa: ANN001
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_BACKOFF_SECONDS = 60
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert notification_deliver(pk=receipt.pk) is False
        receipt.refresh_from_db()
        assert receipt.status == S.PENDING
        assert receipt.attempts == 1
        assert receipt.next_attempt_at == now + timedelta(seconds=60)
        assert "ConnectionRefused" in receipt.last_error
        # not due yet: nothing to claim
        assert notification_deliver(pk=receipt.pk) is False
        receipt.refresh_from_db()
        assert receipt.attempts == 1
    with time_machine.travel(now + timedelta(seconds=61), tick=False):
        notification_deliver(pk=receipt.pk)
        receipt.refresh_from_db()
        assert receipt.next_attempt_at == now + timedelta(seconds=61 + 120)
    with time_machine.travel(now + timedelta(seconds=61 + 121), tick=False):
        notification_deliver(pk=receipt.pk)
        receipt.refresh_from_db()
        assert receipt.status == S.FAILED
        assert receipt.attempts == 3
    with time_machine.travel(now + timedelta(days=1), tick=False):
        assert notification_deliver(pk=receipt.pk) is False
    assert mail.outbox == []


def test_backoff_doubles_and_is_capped(settings):  # noqa: ANN001
    settings.NOTIFICATIONS_BACKOFF_SECONDS = 60
    settings.NOTIFICATIONS_BACKOFF_MAX_SECONDS = 3600
    assert [notification_backoff(attempts=a).total_seconds() for a in range(1, 9)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


def test_redispatch_enqueues_rows_left_pending_or_with_an_expired_lease(
    receipt,
    settings,
    eager_tasks,  # noqa: ANN001
):
    settings.NOTIFICATIONS_REDISPATCH_GRACE_SECONDS = 30
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        notification_claim(pks=[receipt.pk])  # a worker took the receipt, then died
        # fresh rows are left to their own task for the grace period
        assert notification_redispatch() == 0
    with time_machine.travel(now + timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS + 31)):
        # when
        assert notification_redispatch() == 2
    # then: both went out (tasks ran in-process), each once
    assert set(Notification.objects.values_list("status", flat=True)) == {S.SENT}
    assert len(mail.outbox) == 2


def test_redispatch_gives_up_on_a_row_whose_workers_keep_dying(receipt, settings):  # noqa: ANN001
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        notification_claim(pks=[receipt.pk])
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        notification_redispatch()
    receipt.refresh_from_db()
    assert receipt.status == S.FAILED
    assert "worker" in receipt.last_error


@pytest.mark.parametrize("smtp_sink", [{"reject_first": "451 4.3.0 Try again later"}], indirect=True)
def test_a_temporary_smtp_refusal_is_retried_later_and_the_batch_goes_on(smtp_sink, receipt):  # noqa: ANN001
    # given: two rows; the real SMTP server refuses the first recipient temporarily
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    # when
    assert notification_deliver_batch(pks=ids) == 1
    # then
    first, second = Notification.objects.order_by("pk")
    assert (first.status, first.attempts) == (S.PENDING, 1)
    assert "451" in first.last_error
    assert second.status == S.SENT
    assert len(smtp_sink.wait_for(1)) == 1


@pytest.mark.parametrize("smtp_sink", [{"reject_first": "550 5.1.1 No such user"}], indirect=True)
def test_a_permanent_smtp_refusal_fails_at_once(smtp_sink, receipt):  # noqa: ANN001
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    notification_deliver_batch(pks=ids)
    first = Notification.objects.order_by("pk").first()
    assert (first.status, first.attempts) == (S.FAILED, 1)
    assert "550" in first.last_error


def test_german_customers_get_formal_german_and_english_agents_english(greta, tina, network_category):  # noqa: ANN001
    # given
    ticket_create(requester=greta, subject="Drucker", description="x", by=greta, category=network_category)
    expand_fanouts()
    ticket = greta.requested_tickets.get()
    message_add(ticket=ticket, author=tina, body="Bitte starten Sie den Drucker neu.")
    # when
    notification_deliver_batch(pks=Notification.objects.order_by("pk").values_list("pk", flat=True))
    # then
    by_to = {}
    for m in mail.outbox:
        by_to.setdefault(m.to[0], []).append(m)
    receipt, reply = by_to[greta.email]
    assert receipt.subject == f"[{ticket.reference}] Ihre Anfrage ist bei uns eingegangen: Drucker"
    assert "Guten Tag Greta," in receipt.body
    assert "Ihre Anfrage „Drucker“ ist bei uns eingegangen. Wir kümmern uns darum." in receipt.body
    assert "Sie" in receipt.alternatives[0].content
    assert " du " not in receipt.body.lower()
    assert reply.subject == f"[{ticket.reference}] Neue Antwort auf Ihre Anfrage: Drucker"
    assert "Bitte starten Sie den Drucker neu." in reply.body
    (queue_mail,) = by_to[tina.email]
    assert queue_mail.subject == f"[{ticket.reference}] New in your team's queue: Drucker"
    assert "Hello Tina," in queue_mail.body
    assert "A new ticket is waiting in the queue of your team Service Desk." in queue_mail.body


def test_a_worker_keeps_one_smtp_session_between_tasks(smtp_sink, alice, network_category, eager_tasks):  # noqa: ANN001
    from notifications.tasks import deliver_notifications

    # given: three separate changes, each with its own task
    for i in range(3):
        ticket_create(requester=alice, subject=f"T{i}", description="x", by=alice, category=network_category)
    # when
    for pk in Notification.objects.order_by("pk").values_list("pk", flat=True):
        deliver_notifications.delay([pk])
    # then: one SMTP session carried all three mails
    assert len(smtp_sink.wait_for(3)) == 3
    assert smtp_sink.sessions == 1


def test_a_dropped_idle_smtp_session_is_replaced_without_a_failed_attempt(
    settings,
    monkeypatch,
    alice,
    network_category,
    eager_tasks,  # noqa: ANN001
):
    from aiosmtpd.controller import Controller

    from notifications import tasks
    from notifications.tasks import deliver_notifications

    from .conftest import SmtpSink, free_port

    # given: a worker thread that delivered over a session the server has since dropped (server restart)
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    first_sink = SmtpSink(port=port)
    controller = Controller(first_sink, hostname="127.0.0.1", port=port)
    controller.start()
    for i in range(2):
        ticket_create(requester=alice, subject=f"T{i}", description="x", by=alice, category=network_category)
    first, second = Notification.objects.order_by("pk")
    deliver_notifications.delay([first.pk])
    assert len(first_sink.wait_for(1)) == 1
    controller.stop()
    monkeypatch.setattr(tasks, "IDLE_CHECK_SECONDS", 0)  # the session counts as idle from now on
    second_sink = SmtpSink(port=port)
    controller = Controller(second_sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        # when
        deliver_notifications.delay([second.pk])
        # then: sent on the first try over a new session
        assert len(second_sink.wait_for(1)) == 1
        second.refresh_from_db()
        assert (second.status, second.attempts, second.last_error) == (S.SENT, 1, "")
    finally:
        controller.stop()


@pytest.mark.parametrize("smtp_sink", [{"slow_first": 1.2}], indirect=True)
def test_a_row_is_given_back_untried_when_too_little_of_its_lease_is_left(smtp_sink, settings, receipt):  # noqa: ANN001
    # given: a 2-second lease, and an SMTP server that takes 1.2 s over the first mail of the batch
    settings.NOTIFICATIONS_LEASE_SECONDS = 2
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    # when
    assert notification_deliver_batch(pks=ids) == 1
    # then: the second row was not started with less than half its lease left; it waits, attempt unused
    first, second = Notification.objects.order_by("pk")
    assert first.status == S.SENT
    assert (second.status, second.attempts, second.lease_token) == (S.PENDING, 0, "")
    assert second.next_attempt_at <= timezone.now()
    assert notification_deliver(pk=second.pk) is True
