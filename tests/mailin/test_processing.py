"""From stored raw mail to tickets and messages: threading, sender checks, robustness."""

from __future__ import annotations

import pytest

from mailin import services
from mailin.models import InboundMail, Participant
from notifications.threading import reply_address, ticket_pk_from_token
from tests.mailin.conftest import make_mail
from tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db


def deliver(raw: bytes) -> InboundMail:
    stored = services.inbound_store(raw=raw)
    assert stored is not None
    return services.inbound_process(pk=stored.pk)


@pytest.fixture
def alice_ticket(alice, service_desk) -> Ticket:  # noqa: ANN001
    deliver(make_mail(sender="alice@example.com", message_id="<first@customer.example>"))
    return Ticket.objects.get(requester=alice)


def test_new_mail_becomes_an_email_ticket_of_the_known_customer(alice, service_desk):
    inbound = deliver(
        make_mail(sender="Alice <ALICE@example.com>", subject="VPN drops", body="Every 5 minutes.")
    )
    ticket = inbound.ticket
    assert (inbound.status, inbound.reason) == ("processed", "new request")
    assert (ticket.requester, ticket.channel, ticket.subject, ticket.team) == (
        alice,
        "email",
        "VPN drops",
        service_desk,
    )
    assert ticket.description == "Every 5 minutes."


def test_unknown_sender_becomes_a_customer_and_language_is_guessed(db, service_desk):
    body = "Hallo, der Drucker druckt nicht und ich kann nicht arbeiten. Bitte helfen Sie mir."
    ticket = deliver(make_mail(sender="Max Muster <max@firma.example>", subject="Drucker", body=body)).ticket
    assert ticket.requester.email == "max@firma.example"
    assert ticket.requester.role == "customer"
    assert not ticket.requester.has_usable_password()
    assert ticket.language == "de"


def test_reply_by_signed_token_is_appended(alice_ticket):
    to = reply_address(ticket=alice_ticket, address="support@example.com")
    inbound = deliver(make_mail(to=to, subject="Re: something else", body="Still broken."))
    assert inbound.ticket == alice_ticket
    message = alice_ticket.messages.get()
    assert (message.body, message.match_reason, message.channel) == (
        "Still broken.",
        "matched by reply token",
        "email",
    )


def test_reply_by_thread_headers_is_appended(alice_ticket):
    inbound = deliver(make_mail(subject="Re: Printer", headers={"In-Reply-To": "<first@customer.example>"}))
    assert inbound.ticket == alice_ticket
    assert alice_ticket.messages.get().match_reason == "matched by In-Reply-To/References"


def test_reply_by_reference_in_subject_is_appended(alice_ticket):
    inbound = deliver(make_mail(subject=f"Re: [{alice_ticket.reference}] Printer"))
    assert inbound.ticket == alice_ticket
    assert alice_ticket.messages.get().match_reason == "matched by reference in subject"


def test_forged_in_reply_to_from_a_stranger_is_not_appended(alice_ticket, bob):
    raw = make_mail(
        sender=bob.email,
        subject=f"Re: [{alice_ticket.reference}]",
        headers={"In-Reply-To": "<first@customer.example>"},
    )
    inbound = deliver(raw)
    assert alice_ticket.messages.count() == 0
    assert inbound.ticket != alice_ticket
    assert inbound.ticket.requester == bob


def test_a_reply_token_used_by_another_sender_is_quarantined(alice_ticket, bob):
    to = reply_address(ticket=alice_ticket, address="support@example.com")
    inbound = deliver(make_mail(sender=bob.email, to=to))
    assert inbound.status == "quarantined"
    assert alice_ticket.messages.count() == 0


def test_a_tampered_token_matches_nothing(alice_ticket):
    to = reply_address(ticket=alice_ticket, address="support@example.com")
    forged = to.replace(f"+t{alice_ticket.pk}-", f"+t{alice_ticket.pk + 1}-")
    assert ticket_pk_from_token([forged]) is None


def test_an_approved_participant_may_reply_but_cc_is_only_offered(alice_ticket, bob):
    # given: the opening mail had bob in Cc → offered, not approved
    raw = make_mail(sender="alice@example.com", subject="Second", headers={"Cc": bob.email})
    offered = deliver(raw).ticket
    assert Participant.objects.get(ticket=offered).approved is False
    # when bob replies before approval → not appended; after approval → appended
    deliver(make_mail(sender=bob.email, subject=f"Re: [{offered.reference}]"))
    assert offered.messages.count() == 0
    Participant.objects.filter(ticket=offered).update(approved=True)
    deliver(make_mail(sender=bob.email, subject=f"Re: [{offered.reference}] again"))
    assert offered.messages.get().author == bob


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ({"Auto-Submitted": "auto-replied"}, "alice@example.com"),
        ({"Precedence": "bulk"}, "alice@example.com"),
        ({"X-Autoreply": "yes"}, "alice@example.com"),
        ({}, "MAILER-DAEMON@mx.example.com"),
    ],
)
def test_auto_replies_and_bounces_create_nothing(alice, service_desk, headers, sender):
    inbound = deliver(make_mail(sender=sender, headers=headers))
    assert inbound.status == "ignored"
    assert Ticket.objects.count() == 0


def test_our_own_mail_is_ignored(db, settings, service_desk):
    inbound = deliver(make_mail(sender=settings.DEFAULT_FROM_EMAIL))
    assert inbound.status == "ignored"


def test_quoted_history_is_stripped(alice_ticket):
    body = "Thanks, that worked.\n\nOn Mon, 2 Nov 2026 at 10:00, Helpdesk wrote:\n> Please restart.\n> Bye"
    deliver(make_mail(subject=f"Re: [{alice_ticket.reference}]", body=body))
    assert alice_ticket.messages.get().body == "Thanks, that worked."


def test_german_quote_header_is_stripped():
    text = "Danke!\n\nAm 02.11.2026 um 10:00 schrieb Helpdesk <helpdesk@example.com>:\n> Bitte neu starten."
    from mailin.parsing import strip_quotes

    assert strip_quotes(text) == "Danke!"


def test_html_only_mail_becomes_safe_text_and_the_original_a_download(alice, service_desk):
    html = "<p>Hello <b>team</b></p><script>alert(1)</script><p>second line</p>"
    ticket = deliver(make_mail(body=None, html=html)).ticket
    assert "alert" not in ticket.description
    assert "<" not in ticket.description
    assert "Hello team" in ticket.description
    original = Attachment.objects.get(ticket=ticket)
    assert original.filename == "original.html"


def test_oversized_attachment_is_dropped_with_a_visible_note(alice, service_desk, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 1024
    raw = make_mail(
        attachments=[
            ("small.txt", "text/plain", b"ok"),
            ("huge.bin", "application/octet-stream", b"x" * 5000),
        ]
    )
    ticket = deliver(raw).ticket
    assert list(ticket.attachments.values_list("filename", flat=True)) == ["small.txt"]
    assert "huge.bin" in ticket.description
    assert "dropped" in ticket.description


def test_duplicate_message_id_is_processed_once(alice, service_desk):
    raw = make_mail(message_id="<same@customer.example>")
    deliver(raw)
    assert services.inbound_store(raw=raw) is None
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"this is not a mail at all",
        b"Subject: no sender\r\n\r\nbody",
        b"From: alice@example.com\r\nContent-Type: text/plain; charset=x-no-such-charset\r\nSubject: broken\r\n\r\n\xff\xfe text",
    ],
)
def test_malformed_mail_is_kept_and_later_mail_still_flows(alice, service_desk, raw):
    inbound = deliver(raw)
    assert inbound.status in ("quarantined", "processed")
    assert bytes(InboundMail.objects.get(pk=inbound.pk).raw) == raw  # nothing lost
    # later mail still flows
    assert deliver(make_mail(subject="after the broken one")).status == "processed"


def test_no_message_id_and_deep_nesting():
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    from mailin import parsing

    outer = MIMEMultipart()
    inner = outer
    for _ in range(parsing.MAX_NESTING + 2):
        nested = MIMEMultipart()
        inner.attach(nested)
        inner = nested
    inner.attach(MIMEText("deep"))
    outer["From"] = "alice@example.com"
    raw = outer.as_bytes()
    with pytest.raises(ValueError, match="nested"):
        parsing.parse(raw)
    assert parsing.headers_of(raw).message_id.startswith("<sha256-")


def test_quarantined_mail_can_be_reprocessed(alice_ticket, bob):
    to = reply_address(ticket=alice_ticket, address="support@example.com")
    inbound = deliver(make_mail(sender=bob.email, to=to))
    Participant.objects.create(ticket=alice_ticket, email=bob.email, approved=True)
    again = services.inbound_reprocess(pk=inbound.pk)
    assert again.status == "processed"
    assert Message.objects.filter(ticket=alice_ticket, author=bob).exists()


def test_reply_to_a_closed_ticket_opens_a_new_one(alice_ticket, tina):
    from tickets.services import ticket_close

    ticket_close(ticket=alice_ticket, by=tina)
    inbound = deliver(make_mail(subject=f"Re: [{alice_ticket.reference}]"))
    assert inbound.ticket != alice_ticket
    assert "closed" in inbound.reason


def test_sender_rate_cap(alice, service_desk, monkeypatch):
    monkeypatch.setattr(services, "SENDER_RATE_CAP_PER_HOUR", 2)
    statuses = [deliver(make_mail(subject=f"flood {i}")).status for i in range(4)]
    assert statuses == ["processed", "processed", "ignored", "ignored"]
