"""Replies to mail the old helpdesk sent ("Re: [#123] Printer") thread onto the imported ticket.

The tickets are imported for real (the csv source through ``importers.services.import_execute``),
the mail goes the real way in (stored raw, then processed; one over a real IMAP server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from importers.lookup import ticket_by_original_number
from importers.services import import_execute
from mailin import services
from mailin.models import InboundMail, Mailbox
from tests.mailin.conftest import make_mail
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

TICKETS = """\
id;subject;description;requester_email;requester_name;state;created_at
123;Printer;The printer on floor 2 jams.;carl@customer.example;Carl Customer;Open;2024-03-01T09:00:00Z
123456;VPN;VPN drops.;carl@customer.example;Carl Customer;Open;2024-03-02T09:00:00Z
31001;Screen;Need a second screen.;carl@customer.example;Carl Customer;Open;2024-03-03T09:00:00Z
7;Old and done;Long solved.;carl@customer.example;Carl Customer;Closed;2024-03-04T09:00:00Z
"""
# Numbers not kept as our reference: [#123] must be found by the lookup, not by ticket id 123.
MAP = "states: {Open: open, Closed: closed}\nkeep_numbers: false\n"


@pytest.fixture
def imported(tmp_path: Path) -> dict[str, Ticket]:
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS, encoding="utf-8")
    report, _mapping = import_execute(source_name="csv", location=str(path), mapping_text=MAP)
    assert report.counts["ticket"]["imported"] == 4
    tickets = {n: ticket_by_original_number(n) for n in ("123", "123456", "31001", "7")}
    assert tickets["123"].pk != 123
    return tickets


def deliver(raw: bytes) -> InboundMail:
    return services.inbound_process(pk=services.inbound_store(raw=raw).pk)


@pytest.mark.parametrize(
    ("number", "subject"),
    [
        ("123", "Re: [#123] Printer"),  # the generic tag (and Zendesk's)
        ("123456", "AW: [#123456] VPN"),  # osTicket
        ("31001", "Re: [Ticket#31001] Screen"),  # Zammad's ticket hook
    ],
)
def test_a_reply_with_the_old_number_threads_onto_the_imported_ticket(imported, number, subject) -> None:
    tickets_before = Ticket.objects.count()
    inbound = deliver(make_mail(sender="carl@customer.example", subject=subject, body="Still broken."))
    assert inbound.status == InboundMail.Status.PROCESSED
    assert inbound.ticket == imported[number]
    message = imported[number].messages.get(body="Still broken.")
    assert message.match_reason == "matched by original number in subject"
    assert Ticket.objects.count() == tickets_before


def test_a_number_that_was_never_imported_opens_a_new_ticket(imported) -> None:
    tickets_before = Ticket.objects.count()
    inbound = deliver(make_mail(sender="carl@customer.example", subject="Re: [#999] Printer"))
    assert inbound.ticket not in imported.values()
    assert inbound.reason == "new request"
    assert Ticket.objects.count() == tickets_before + 1


def test_a_queue_tag_only_matches_tickets_from_django_helpdesk(imported) -> None:
    # "[hw-123]" is django-helpdesk's tag; these tickets came from a CSV file
    inbound = deliver(make_mail(sender="carl@customer.example", subject="Re: [hw-123] Printer"))
    assert inbound.ticket != imported["123"]


def test_a_stranger_quoting_the_old_number_gets_a_ticket_of_their_own(imported) -> None:
    inbound = deliver(make_mail(sender="mallory@elsewhere.example", subject="Re: [#123] Printer"))
    assert inbound.ticket != imported["123"]
    assert not imported["123"].messages.filter(author__email="mallory@elsewhere.example").exists()


def test_our_own_threading_comes_first(imported) -> None:
    ours = imported["123456"]
    # our reference names one ticket, the old number another: ours wins
    inbound = deliver(
        make_mail(sender="carl@customer.example", subject=f"Re: [#123] Printer ({ours.reference})")
    )
    assert inbound.ticket == ours
    assert inbound.reason == "matched by reference in subject"


def test_over_imap_the_reply_threads_too(imported, imap_server, monkeypatch) -> None:  # noqa: ANN001
    imap_server.clear()
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_server.password)
    Mailbox.objects.create(
        name="support",
        address="support@example.com",
        host=imap_server.host,
        port=imap_server.port,
        use_ssl=False,
        username=imap_server.user,
        password_env="TEST_IMAP_PASSWORD",
    )
    imap_server.append(
        make_mail(sender="Carl Customer <carl@customer.example>", subject="Re: [#123] Printer")
    )
    call_command("fetch_mail")
    assert InboundMail.objects.get().ticket == imported["123"]
    assert imap_server.unseen() == 0
