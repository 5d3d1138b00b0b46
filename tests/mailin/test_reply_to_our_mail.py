"""Our outgoing mail and incoming replies meet: Reply-To token, Message-ID, and no mail loops."""

from __future__ import annotations

import pytest

from mailin import services
from notifications.models import Notification
from notifications.services import notification_email
from tests.mailin.conftest import make_mail
from tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(alice, tina, service_desk):  # noqa: ANN001
    """A ticket with an agent's public reply, and the mail that told alice about it."""
    ticket = ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    message_add(ticket=ticket, author=tina, body="Please restart the client.")
    notification = Notification.objects.filter(recipient=alice, ticket=ticket).order_by("-id").first()
    return ticket, notification_email(notification=notification)


def deliver(raw: bytes):  # noqa: ANN201
    return services.inbound_process(pk=services.inbound_store(raw=raw).pk)


def test_a_reply_to_our_reply_to_address_threads(replied):
    ticket, mail = replied
    assert "+t" in mail.extra_headers["Reply-To"]
    inbound = deliver(
        make_mail(to=mail.extra_headers["Reply-To"], subject="Re: something", body="Done, works.")
    )
    assert inbound.ticket == ticket
    assert ticket.messages.filter(body="Done, works.", match_reason="matched by reply token").exists()


def test_a_reply_by_in_reply_to_our_message_id_threads(replied):
    ticket, mail = replied
    raw = make_mail(
        subject="Re: no reference here", headers={"In-Reply-To": mail.extra_headers["Message-ID"]}
    )
    assert deliver(raw).ticket == ticket


def test_an_auto_reply_to_our_mail_sends_nothing_back(replied):
    ticket, mail = replied
    before = Notification.objects.count()
    raw = make_mail(
        to=mail.extra_headers["Reply-To"],
        subject="Out of office",
        headers={"Auto-Submitted": "auto-replied", "In-Reply-To": mail.extra_headers["Message-ID"]},
    )
    assert deliver(raw).status == "ignored"
    assert Notification.objects.count() == before
    assert not ticket.messages.filter(body__contains="Out of office").exists()


def test_our_own_mail_looping_back_is_ignored(replied):
    _ticket, mail = replied
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    looped = bytes(mail.message())
    assert deliver(looped).status == "ignored"
