"""A mail that cannot be processed must not stall the ones behind it (PostgreSQL: where the
database refuses what SQLite stores silently)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from mailin import services
from mailin.models import InboundMail
from tests.mailin.conftest import make_mail
from tickets.models import Attachment, Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CORPUS = Path(__file__).parent / "corpus"


def store(raw: bytes) -> InboundMail:
    stored = services.inbound_store(raw=raw)
    assert stored is not None
    return stored


@pytest.fixture
def refuse_poison_tickets():
    """Any failure the database raises while a mail is processed (here: a constraint that refuses
    tickets with the subject 'POISON'), standing in for whatever the next real-world mail trips."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {Ticket._meta.db_table} ADD CONSTRAINT test_no_poison CHECK (subject <> 'POISON')"
        )


def test_a_poison_mail_is_quarantined_after_max_attempts_while_older_mails_flow_on(
    refuse_poison_tickets, service_desk
):
    older = [store(make_mail(sender=f"older{i}@example.com", subject=f"Older {i}")) for i in range(3)]
    poison = store(make_mail(sender="poison@example.com", subject="POISON"))
    newer = store(make_mail(sender="newer@example.com", subject="Newer"))

    assert services.pending_process() == 5  # one run: everything but the poison mail is done
    for mail in [*older, newer]:
        mail.refresh_from_db()
        assert (mail.status, mail.attempts, mail.ticket.subject[:5]) == ("processed", 1, mail.subject[:5])
    poison.refresh_from_db()
    assert (poison.status, poison.attempts, poison.ticket) == ("received", 1, None)
    assert poison.reason.startswith("attempt 1 failed: IntegrityError:")
    assert "test_no_poison" in poison.reason

    for _run in range(services.MAX_ATTEMPTS - 1):
        services.pending_process()
    poison.refresh_from_db()
    assert (poison.status, poison.attempts) == ("quarantined", services.MAX_ATTEMPTS)
    assert poison.reason.startswith(f"attempt {services.MAX_ATTEMPTS} failed: IntegrityError:")
    assert not Ticket.objects.filter(requester__email="poison@example.com").exists()
    assert services.pending_process() == 0  # nothing left to retry


def test_a_mail_whose_worker_died_each_time_is_given_up(service_desk):
    """Attempts are counted before the work starts, so a mail that kills the worker counts too."""
    mail = store(make_mail())
    InboundMail.objects.filter(pk=mail.pk).update(attempts=services.MAX_ATTEMPTS)
    done = services.inbound_process(pk=mail.pk)
    assert (done.status, done.ticket) == ("quarantined", None)
    assert done.reason == f"gave up after {services.MAX_ATTEMPTS} attempts: the worker stopped"


def test_reprocessing_a_quarantined_mail_starts_counting_again(refuse_poison_tickets, service_desk):
    mail = store(make_mail(subject="POISON"))
    for _attempt in range(services.MAX_ATTEMPTS):
        services.inbound_process(pk=mail.pk)
    with connection.cursor() as cursor:  # the cause is fixed
        cursor.execute(f"ALTER TABLE {Ticket._meta.db_table} DROP CONSTRAINT test_no_poison")
    done = services.inbound_reprocess(pk=mail.pk)
    assert (done.status, done.attempts, done.ticket.subject) == ("processed", 1, "POISON")


def test_a_subject_longer_than_a_ticket_takes_is_cut_and_kept_whole_in_the_text(service_desk):
    raw = (CORPUS / "ours-subject-222-chars.eml").read_bytes()
    done = services.inbound_process(pk=store(raw).pk)
    assert done.status == "processed", done.reason
    full = (
        "[Störung] Automatische Benachrichtigung: Der Druckauftrag 4711 auf Warteschlange "
        "PRN-OG2-FARBE-A3 (HP Color LaserJet Enterprise M776) ist fehlgeschlagen, Papierstau in "
        "Fach 3, bitte Gerät prüfen und Auftrag neu senden (#2)"
    )
    assert len(full) == 222
    assert done.ticket.subject == full[:199] + "…"
    assert done.ticket.description.endswith(f"[Full subject: {full}]")


def test_the_kept_html_of_an_html_only_mail_is_held_to_the_attachment_limit(settings, service_desk):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 4 * 1024
    raw = (CORPUS / "ours-html-only-order.eml").read_bytes()
    done = services.inbound_process(pk=store(raw).pk)
    assert done.status == "processed", done.reason
    assert done.ticket.description.startswith("Guten Tag,\nbitte die folgende Bestellung freigeben:")
    assert "[Attachment “original.html” (" in done.ticket.description
    assert not Attachment.objects.filter(ticket=done.ticket).exists()
