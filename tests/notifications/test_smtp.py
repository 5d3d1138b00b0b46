"""Mail reaches a real local SMTP server (aiosmtpd) in German and English, never with an internal note."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from notifications.services import notification_deliver_batch
from tests.factories import UserFactory
from tickets.services import message_add, ticket_create, ticket_resolve

from .conftest import expand_fanouts

pytestmark = pytest.mark.django_db
NOTE = "Internal: customer is on the old firmware, do not tell them about CVE-2026-1234"


def test_mails_reach_a_real_smtp_server_in_both_languages_without_internal_notes(
    smtp_sink,
    alice,
    tina,
    network_category,  # noqa: ANN001
):
    # given: an English and a German customer, each with a ticket that gets a note, a reply and a resolution
    greta = UserFactory(username="greta", first_name="Greta", language="de")
    for customer, reply in (
        (alice, "Please update the client."),
        (greta, "Bitte aktualisieren Sie den Client."),
    ):
        t = ticket_create(
            requester=customer, subject="VPN", description="x", by=customer, category=network_category
        )
        message_add(ticket=t, author=tina, body=NOTE, internal=True)
        message_add(ticket=t, author=tina, body=reply)
        ticket_resolve(ticket=t, by=tina, resolution="Client updated.")
    expand_fanouts()  # tina's queue mails, rendered after the notes were written
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    # when
    notification_deliver_batch(pks=ids)
    # then: every row arrived, as multipart text + HTML with our headers
    received = smtp_sink.wait_for(len(ids))
    assert len(received) == len(ids) == 8  # 3 per customer + tina's two queue mails
    for msg in received:
        assert msg["Auto-Submitted"] == "auto-generated"
        assert msg["Message-ID"]
        assert msg.get_content_type() == "multipart/alternative"
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert "CVE-2026-1234" not in text + html + msg["Subject"]
    to_greta = [m for m in received if m["To"] == greta.email]
    to_alice = [m for m in received if m["To"] == alice.email]
    assert sorted(m["Subject"].split("] ", 1)[1] for m in to_greta) == [
        "Ihre Anfrage ist bei uns eingegangen: VPN",
        "Ihre Anfrage wurde gelöst: VPN",
        "Neue Antwort auf Ihre Anfrage: VPN",
    ]
    assert sorted(m["Subject"].split("] ", 1)[1] for m in to_alice) == [
        "New reply to your request: VPN",
        "Your request has been received: VPN",
        "Your request has been solved: VPN",
    ]
    german_reply = next(m for m in to_greta if "Antwort" in m["Subject"])
    assert "Bitte aktualisieren Sie den Client." in german_reply.get_body(("plain",)).get_content()
    stored = set(Notification.objects.values_list("message_id", flat=True))
    assert {m["Message-ID"] for m in received} == stored
