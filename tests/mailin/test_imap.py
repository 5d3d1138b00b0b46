"""Against a real IMAP server (dovecot, started by tests/mailin/conftest.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from mailin.models import InboundMail, Mailbox
from mailin.services import mailbox_fetch
from notifications.threading import reply_address
from tests.mailin.conftest import make_mail
from tickets.models import Ticket

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mailbox(db, imap_server, monkeypatch) -> Mailbox:  # noqa: ANN001
    imap_server.clear()
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_server.password)
    return Mailbox.objects.create(
        name="support",
        address="support@example.com",
        host=imap_server.host,
        port=imap_server.port,
        use_ssl=False,
        username=imap_server.user,
        password_env="TEST_IMAP_PASSWORD",
    )


def test_new_mail_becomes_a_ticket_and_a_reply_threads(mailbox, imap_server, alice, service_desk):
    # given
    imap_server.append(make_mail(subject="Drucker druckt nicht", body="Hallo, der Drucker geht nicht."))
    # when
    call_command("fetch_mail")
    # then
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.channel, ticket.language) == (alice, "email", "de")
    assert imap_server.unseen() == 0
    # a reply to our reply-to address lands on the same ticket
    imap_server.append(
        make_mail(to=reply_address(ticket=ticket, address=mailbox.address), body="Danke, geht wieder.")
    )
    mailbox_fetch(mailbox=mailbox)
    assert Ticket.objects.count() == 1
    assert ticket.messages.get().match_reason == "matched by reply token"


def test_fetching_twice_duplicates_nothing(mailbox, imap_server, alice, service_desk):
    raw = make_mail(message_id="<dup@customer.example>")
    imap_server.append(raw)
    imap_server.append(raw)  # the same mail delivered twice
    mailbox_fetch(mailbox=mailbox)
    mailbox_fetch(mailbox=mailbox)
    assert Ticket.objects.count() == 1
    assert InboundMail.objects.count() == 1


def test_wrong_password_is_recorded_on_the_mailbox(mailbox, monkeypatch):
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "wrong")
    with pytest.raises(Exception, match="(?i)auth"):
        mailbox_fetch(mailbox=mailbox)
    mailbox.refresh_from_db()
    assert "auth" in mailbox.last_error.lower()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_fetch_killed_mid_poll_loses_and_duplicates_nothing(mailbox, imap_server, alice, service_desk):
    # given: 40 mails waiting
    total = 40
    for i in range(total):
        # distinct senders: one sender's 40 mails an hour would hit the flood cap
        raw = make_mail(
            sender=f"customer{i}@example.com", subject=f"Request {i}", message_id=f"<kill-{i}@c.example>"
        )
        imap_server.append(raw)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    # when: a fetch is killed with SIGKILL once it has stored a few mails
    proc = subprocess.Popen([sys.executable, "manage.py", "fetch_mail"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while InboundMail.objects.count() < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_after = InboundMail.objects.count()
    # and the next poll runs to the end
    subprocess.run([sys.executable, "manage.py", "fetch_mail"], cwd=ROOT, env=env, check=True, timeout=120)
    # then
    assert 0 < killed_after < total
    assert InboundMail.objects.count() == total
    assert InboundMail.objects.exclude(status="processed").count() == 0
    assert Ticket.objects.count() == total
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == sorted(
        f"Request {i}" for i in range(total)
    )
