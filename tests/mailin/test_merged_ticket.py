"""Mail to a ticket that was merged into another lands on the merge target (tickets.merge)."""

from __future__ import annotations

import pytest

from mailin import services
from mailin.models import Participant
from notifications.models import Notification
from notifications.services import notification_email
from notifications.threading import reply_address
from tests.mailin.conftest import make_mail
from tests.mailin.test_imap import mailbox  # noqa: F401 - the IMAP mailbox fixture
from tickets import merge
from tickets.models import Ticket
from tickets.services import message_add, ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(alice, tina, service_desk):  # noqa: ANN001, ANN201
    """alice's duplicate (with our reply mail about it) merged into her other request."""
    source = ticket_create(requester=alice, by=alice, subject="VPN again", description="down again")
    message_add(ticket=source, author=tina, body="Which client version?")
    mail = notification_email(
        notification=Notification.objects.filter(recipient=alice, ticket=source, kind="reply").get()
    )
    target = ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    merge.ticket_merge(source=source, target=target, by=tina)
    return source, target, mail


def deliver(raw: bytes):  # noqa: ANN201
    return services.inbound_process(pk=services.inbound_store(raw=raw).pk)


@pytest.mark.parametrize("how", ["token", "in_reply_to", "subject"])
def test_a_reply_to_the_merged_ticket_threads_onto_the_target(merged, how):
    source, target, mail = merged
    raw = {
        "token": make_mail(to=mail.extra_headers["Reply-To"], subject="Re: x", body="Version 6.2"),
        "in_reply_to": make_mail(
            subject="Re: x", body="Version 6.2", headers={"In-Reply-To": mail.extra_headers["Message-ID"]}
        ),
        "subject": make_mail(subject=f"Re: [{source.reference}] VPN again", body="Version 6.2"),
    }[how]
    inbound = deliver(raw)
    assert inbound.status == "processed"
    assert inbound.ticket == target
    assert target.messages.filter(body="Version 6.2", by_agent=False).exists()
    assert not source.messages.filter(body="Version 6.2").exists()
    assert Ticket.objects.count() == 2  # no new ticket for a reply to a closed (merged) one


def test_a_strangers_mail_with_the_merged_reference_still_opens_its_own_ticket(merged, bob):
    source, target, _mail = merged
    deliver(make_mail(sender=bob.email, subject=f"Re: [{source.reference}]", body="me too"))
    assert not target.messages.filter(body="me too").exists()
    assert Ticket.objects.filter(requester=bob).count() == 1


def test_the_sources_approved_participants_may_write_to_the_target(alice, tina, service_desk):
    source = ticket_create(requester=alice, by=alice, subject="a", description="a")
    Participant.objects.create(ticket=source, email="carol@example.com", approved=True)
    target = ticket_create(requester=alice, by=alice, subject="b", description="b")
    merge.ticket_merge(source=source, target=target, by=tina)
    assert Participant.objects.get(ticket=target).approved


@pytest.mark.django_db(transaction=True)
def test_through_imap_a_reply_to_the_merged_ticket_lands_on_the_target(mailbox, imap_server, merged):  # noqa: F811
    source, target, _mail = merged
    imap_server.append(make_mail(to=reply_address(ticket=source, address=mailbox.address), body="Über IMAP"))
    services.mailbox_fetch(mailbox=mailbox)
    assert target.messages.filter(body="Über IMAP").exists()
