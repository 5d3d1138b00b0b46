"""Sender recovery (mailin.senders) and storing every distinct mail (content hash), through the services."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from mailin import services
from mailin.fingerprint import content_hash
from mailin.models import InboundMail
from tests.mailin.conftest import make_mail
from tests.mailin.corpus import deliver
from tickets.panels import agent_ticket_panels, render_panels

pytestmark = pytest.mark.django_db

BODY = b"\r\n\r\nMy printer is broken.\r\n"


def _mail(*headers: bytes) -> bytes:
    return (
        b"\r\n".join(
            [*headers, b"To: support@example.com", b"Subject: Printer", b"Message-ID: <m1@x.example>"]
        )
        + BODY
    )


@pytest.mark.parametrize(
    ("headers", "address", "source"),
    [
        ((b'From: "Clement.Si" <Claudia.Shu@yahoo.com.>',), "claudia.shu@yahoo.com", "From"),
        ((b'From: "\xe2\x80\xa6" <>, "LTD" <ly@example.com>',), "ly@example.com", "From"),
        ((b'From: "M\xfcller \xff\xfe GmbH" <Mueller@Example.com>',), "mueller@example.com", "From"),
        ((b"From: =?x-unknown?q?Br=FCcke?= <bruecke@example.com>",), "bruecke@example.com", "From"),
        ((b"From: <mailto:alice@example.com>",), "alice@example.com", "From"),
        ((b"From: foo", b"Reply-To: <help@customer.example>"), "help@customer.example", "Reply-To"),
        ((b"From: <>", b"Sender: Office <office@customer.example>"), "office@customer.example", "Sender"),
        ((b"Return-Path: <max@customer.example>",), "max@customer.example", "Return-Path"),
    ],
)
def test_a_real_sender_is_recovered_and_becomes_the_requester(headers, address, source, service_desk):
    inbound = deliver(_mail(*headers))
    assert (inbound.status, inbound.from_address) == ("processed", address)
    assert inbound.ticket.requester.email == address
    assert inbound.reason == ("new request" if source == "From" else f"new request (sender from {source})")


def test_the_display_name_of_undecodable_bytes_is_kept_readable(service_desk):
    inbound = deliver(_mail(b'From: "J\xf6rg Meier" <joerg@example.com>'))
    assert inbound.ticket.requester.get_full_name() == "Jörg Meier"


@pytest.mark.parametrize(
    "headers",
    [
        (b"From: foo",),
        (b"From: <>", b"Return-Path: <>"),
        (b'From: "Nobody" <nobody@>',),
        (b'From: "your secret past" <power quadrant system@example.com>',),  # never "system@example.com"
        (b'From: "bob@old.example via List" <>',),  # a display name is no address
        (),
    ],
)
def test_only_a_mail_without_any_usable_address_is_quarantined(headers, service_desk):
    inbound = deliver(_mail(*headers))
    assert (inbound.status, inbound.reason, inbound.from_address) == (
        "quarantined",
        "cannot parse: no sender address",
        "",
    )


def test_the_same_mail_through_two_mailboxes_is_stored_once():
    raw = make_mail(message_id="<twice@customer.example>")
    first = services.inbound_store(raw=b"Delivered-To: support@example.com\r\nReceived: by mx1\r\n" + raw)
    again = services.inbound_store(
        raw=b"Delivered-To: sales@example.com\r\nReceived: by mx2\r\n\tid 7\r\n" + raw
    )
    assert first is not None
    assert again is None
    assert content_hash(raw.replace(b"\n", b"\r\n")) == content_hash(raw)


def test_a_resend_with_edits_under_the_same_message_id_is_stored_and_shown_to_agents(tina, service_desk):
    first = deliver(make_mail(message_id="<resend@customer.example>", body="Printer broken."))
    edited = make_mail(message_id="<resend@customer.example>", body="Printer broken, model LX-3.")
    later = deliver(edited)
    assert later is not None
    assert later.repeat_of == first
    assert later.ticket.description == "Printer broken, model LX-3."
    assert deliver(edited) is None
    assert InboundMail.objects.count() == 2

    html = _panel_html(tina, later.ticket)
    assert "Message-ID repeated" in html
    assert f'href="/agent/tickets/{first.ticket.pk}/">{first.ticket.reference}</a>' in html
    with translation.override("de"):
        html = _panel_html(tina, later.ticket)
    assert "Message-ID wiederholt" in html
    assert "Diese E-Mail trägt die Message-ID einer anderen E-Mail (eingegangen am" in html


def test_the_first_mail_of_an_id_shows_no_repeat(tina, service_desk):
    first = deliver(make_mail(message_id="<once@customer.example>"))
    assert "Message-ID repeated" not in _panel_html(tina, first.ticket)


def _panel_html(user, ticket) -> str:  # noqa: ANN001
    request = RequestFactory().get("/")
    request.user = user
    panels = render_panels(agent_ticket_panels, request, ticket, "side")
    template, context = next(p for p in panels if p[0] == "mailin/_email_panel.html")
    return render_to_string(template, {**context, "csrf_token": "x"})
