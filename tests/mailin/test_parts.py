"""No part of a mail vanishes: every text part in order, every file (named or not), attached mails,
forwards, charsets and broken structure — each from a mail in tests/mailin/corpus/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from mailin import services
from mailin.models import InboundMail
from tests.mailin.conftest import make_mail
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "corpus"
# The corpus mails added for issue 18 (the corpus holds others too; tests/mailin/test_corpus.py runs all).
OURS = [
    "cpython-msg_02",
    "cpython-msg_31",
    "cpython-msg_41",
    "cpython-msg_46",
    "ours-apple-mail-mixed-parts",
    "ours-blank-plain-alternative",
    "ours-forward-as-attachment",
    "ours-forward-no-comment",
    "ours-gb2312-label-gbk-content",
    "ours-gmail-inline-image-no-name",
    "ours-html-only-order",
    "ours-iso-2022-jp-extensions",
    "ours-iso-gb2312-alias",
    "ours-raw-8bit-headers",
    "ours-subject-222-chars",
]


@pytest.fixture(autouse=True)
def _language_reset():
    yield
    translation.activate("en")  # a German page must not leave German active for the next test


def deliver(name: str) -> InboundMail:
    stored = services.inbound_store(raw=(CORPUS / f"{name}.eml").read_bytes())
    assert stored is not None
    return services.inbound_process(pk=stored.pk)


def ticket_of(name: str) -> Ticket:
    inbound = deliver(name)
    assert inbound.status == "processed", inbound.reason
    return inbound.ticket


def files(ticket: Ticket) -> list[tuple[str, str]]:
    return [(a.filename, a.content_type) for a in Attachment.objects.filter(ticket=ticket)]


@pytest.mark.parametrize("name", OURS)
def test_the_sidecar_of_each_of_our_corpus_mails_holds(name, service_desk):
    expected = json.loads((CORPUS / f"{name}.json").read_text())
    inbound = deliver(name)
    outcome = {"processed": "ticket", "quarantined": "quarantine", "ignored": "ignored"}[inbound.status]
    assert outcome == expected["outcome"], inbound.reason
    ticket = inbound.ticket
    assert ticket.requester.email == expected["sender"]
    assert ticket.subject == expected["subject"]
    assert ticket.description.startswith(expected["body_start"])
    assert ticket.attachments.count() == expected["attachments"]


def test_apple_mail_keeps_every_text_part_in_order_and_the_files_between(service_desk):
    ticket = ticket_of("ours-apple-mail-mixed-parts")
    assert ticket.description == (
        "Guten Tag,\n\nder Drucker im 2. OG zeigt seit gestern diese Meldung:\n\n"
        "Die Rechnung für die letzte Wartung hänge ich an:\n\n"
        "Mit freundlichen Grüßen\nAnna Berger"
    )
    assert files(ticket) == [("Fehlermeldung.png", "image/png"), ("Wartung-2024-08.pdf", "application/pdf")]


def test_a_digest_keeps_every_text_part_and_each_of_its_mails(service_desk):
    ticket = ticket_of("cpython-msg_02")
    body = ticket.description
    assert body.index("Send Ppp mailing list submissions") < body.index("Today's Topics:")
    assert body.count("\n>\n> hello") == 5
    for n in (1, 3, 4, 5):  # the second has no subject
        assert f"---------- Ppp_testing_{n}.eml ----------\n> From: barry@digicool.com" in body
    assert [name for name, ctype in files(ticket) if ctype == "message/rfc822"] == [
        "Ppp_testing_1.eml",
        "attached_mail.eml",  # the second has no subject
        "Ppp_testing_3.eml",
        "Ppp_testing_4.eml",
        "Ppp_testing_5.eml",
    ]


def test_a_nameless_inline_image_is_stored_under_its_content_id_and_the_html_kept(service_desk):
    ticket = ticket_of("ours-gmail-inline-image-no-name")
    assert ticket.description.startswith("Hello,\n\nthe VPN client shows this error every morning:")
    assert files(ticket) == [("ii_m0q8x1y20.png", "image/png"), ("original.html", "text/html")]
    html = Attachment.objects.get(ticket=ticket, filename="original.html").file.read()
    assert b'src="cid:ii_m0q8x1y20"' in html
    png = Attachment.objects.get(ticket=ticket, filename="ii_m0q8x1y20.png").file.read()
    assert png.startswith(b"\x89PNG")


def test_an_attached_mail_is_kept_as_eml_and_its_text_quoted_without_flattening_its_files(
    service_desk,
):
    ticket = ticket_of("ours-forward-as-attachment")
    assert ticket.description == (
        "Bitte prüfen Sie das angehängte Angebot, ist der Drucker kompatibel?\n\n"
        "---------- Angebot_Netzwerkdrucker.eml ----------\n"
        "> From: Vertrieb <vertrieb@example.net>\n"
        "> Date: Wed, 11 Sep 2024 16:40:00 +0200\n"
        "> Subject: Angebot Netzwerkdrucker\n"
        ">\n"
        "> Sehr geehrte Frau Vogel,\n"
        "> anbei unser Angebot für den Netzwerkdrucker."
    )
    assert files(ticket) == [("Angebot_Netzwerkdrucker.eml", "message/rfc822")]  # the PDF stays inside
    eml = Attachment.objects.get(ticket=ticket).file.read()
    assert b"Angebot-2024-117.pdf" in eml
    assert b"JVBERi0xLjQK" in eml


def test_a_mail_that_is_only_an_attached_mail_shows_that_mail(service_desk):
    ticket = ticket_of("cpython-msg_46")
    assert ticket.description.endswith("> Testing email forwarding with Groupwise 1.2.2010")
    assert files(ticket) == [("GroupwiseForwardingTest.eml", "message/rfc822")]


def test_a_blank_plain_alternative_gives_way_to_the_html(service_desk):
    ticket = ticket_of("ours-blank-plain-alternative")
    assert ticket.description == (
        "Hallo,\nich kann seit heute nicht mehr auf das Laufwerk S: zugreifen.\nGruss, Jan Kowalski"
    )
    assert [name for name, _ctype in files(ticket)] == ["original.html"]


def test_a_forward_without_comment_keeps_the_forwarded_mail(service_desk):
    ticket = ticket_of("ours-forward-no-comment")
    assert ticket.description.startswith("----- Original Nachricht ----\nVon:     Petra Muster")
    assert ticket.description.endswith("bitte an den Support\nweiterleiten. Grüße, Petra")


def test_a_reply_above_that_separator_still_drops_the_quote():
    from mailin.parsing import strip_quotes

    text = "Geht wieder, danke!\n\n----- Original Nachricht ----\nVon: Support\n\n> Bitte neu starten."
    assert strip_quotes(text) == "Geht wieder, danke!"


@pytest.mark.parametrize(
    ("name", "subject", "body", "filename"),
    [
        (
            "ours-gb2312-label-gbk-content",
            "打印机坏了 朱镕基",
            "您好，三楼的打印机坏了。镕 — 请尽快处理。",
            None,
        ),
        (
            "ours-iso-2022-jp-extensions",
            "プリンター故障",
            "お世話になっております。\n① ｶﾀｶﾅ プリンターが動きません。",
            None,
        ),
        ("ours-iso-gb2312-alias", "邮箱已满", "我的邮箱已满，无法接收邮件。", None),
        (
            "ours-raw-8bit-headers",
            "Umzug Büro Hofjägerallee 23",
            "Hallo, wir ziehen in die Hofjägerallee 23. Bitte die Telefone umstellen. Grüße, Jörg",
            "Lageplan_Hofjägerallee.pdf",
        ),
    ],
)
def test_charsets_are_decoded_as_a_robust_gateway_does(name, subject, body, filename, service_desk):
    ticket = ticket_of(name)
    assert (ticket.subject, ticket.description) == (subject, body)
    if filename:
        assert [a.filename for a in ticket.attachments.all()] == [filename]


def test_a_multipart_without_boundary_keeps_its_text(service_desk):
    assert ticket_of("cpython-msg_41").description == "Blah blah blah"


def test_a_multipart_whose_boundary_never_comes_keeps_the_raw_text(service_desk):
    body = ticket_of("cpython-msg_31").description
    assert "message 1" in body
    assert "message 2" in body


def test_agents_see_every_kept_part_on_the_ticket_page(client, tina, service_desk):
    ticket = ticket_of("ours-forward-as-attachment")
    client.force_login(tina)
    for language in ("en", "de"):
        tina.language = language
        tina.save(update_fields=["language"])
        html = client.get(reverse("tickets:agent_ticket", args=[ticket.pk])).content.decode()
        assert "Angebot_Netzwerkdrucker.eml" in html  # listed and downloadable
        assert "&gt; Sehr geehrte Frau Vogel," in html  # the attached mail's text, quoted


@pytest.mark.parametrize(("language", "label"), [("en", "2 files kept:"), ("de", "2 Dateien übernommen:")])
def test_the_mail_panel_lists_the_files_kept_from_each_mail(client, tina, service_desk, language, label):
    ticket = ticket_of("ours-gmail-inline-image-no-name")
    tina.language = language
    tina.save(update_fields=["language"])
    client.force_login(tina)
    page = client.get(reverse("tickets:agent_ticket", args=[ticket.pk]))
    panel = page.content.decode().split('id="email-panel"', 1)[1].split("</section>", 1)[0]
    assert f"<h3>{'E-Mail' if language == 'de' else 'Email'}</h3>" in panel
    assert label in panel
    assert panel.index("ii_m0q8x1y20.png") < panel.index("original.html")


def test_a_forward_marker_in_the_quoted_history_does_not_keep_the_quote(alice, service_desk):
    body = (
        "Danke, geht wieder.\n\nAm 01.09.2024 um 10:00 schrieb Support:\n"
        "---------- Forwarded message ---------\nVon: Alice\n\nDer Drucker streikt."
    )
    stored = services.inbound_store(raw=make_mail(subject="Re: Drucker", body=body))
    assert services.inbound_process(pk=stored.pk).ticket.description == "Danke, geht wieder."


def test_a_base64_encoded_attached_mail_is_still_read_as_a_mail(alice, service_desk):
    inner = make_mail(sender="vertrieb@example.net", subject="Angebot", body="Anbei das Angebot.")
    raw = make_mail(body="Siehe Anhang.", attachments=[("Angebot.eml", "message/rfc822", inner)])
    assert b"Content-Type: message/rfc822" in raw
    assert b"Content-Transfer-Encoding: base64" in raw  # how Outlook sends it, against RFC 2046
    ticket = services.inbound_process(pk=services.inbound_store(raw=raw).pk).ticket
    assert ticket.description.startswith("Siehe Anhang.\n\n---------- Angebot.eml ----------\n")
    assert ticket.description.endswith("> Subject: Angebot\n>\n> Anbei das Angebot.")
