"""One product in both languages: a German word per concept whatever app a string lives in, and one
format per kind of date (date, date and time, relative) on pages and in mails."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from gettext import GNUTranslations
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from notifications.models import Notification
from tickets.models import Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CATALOGS = [*sorted(ROOT.glob("*/locale/de/LC_MESSAGES/django.mo")), ROOT / "locale/de/LC_MESSAGES/django.mo"]
BERLIN = ZoneInfo("Europe/Berlin")


def _entries(mo: Path) -> list[tuple[str | None, str, str]]:
    """(context, msgid, msgstr) of a compiled catalogue's singular messages."""
    with mo.open("rb") as f:
        catalog = GNUTranslations(f)._catalog  # noqa: SLF001 - the parsed .mo, nothing else reads it
    out = []
    for key, value in catalog.items():
        if not isinstance(key, str) or not key:
            continue  # plural forms and the header
        context, _sep, msgid = key.rpartition("\x04")
        out.append((context or None, msgid, value))
    return out


def test_every_catalogue_has_some_messages():
    assert len(CATALOGS) >= 10
    assert all(_entries(mo) for mo in CATALOGS)


def test_each_message_shows_the_translation_of_its_own_catalogue():
    """Django merges all catalogues into one: a msgid two apps (or Django's own admin) translate
    differently shows the same word everywhere, and not always the one the catalogue says."""
    differing = []
    with translation.override("de"):
        for mo in CATALOGS:
            for context, msgid, msgstr in _entries(mo):
                shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                if shown != msgstr:
                    differing.append((mo.parts[-5], msgid, msgstr, shown))
    assert differing == []


# The German UI's terms (docs/ui.md, "German wording"): words that must not appear.
NOT_OUR_WORDS = re.compile(
    r"\bEbenen?\b|(?<!Service-)\bLevel\b|\b[123](st|nd|rd)\b|\bSichern\b|\bErzeugt\b|Deeskal|Konsultation"
)


def test_german_uses_one_word_per_concept():
    offending = [
        (mo.parts[-5], msgid, msgstr)
        for mo in CATALOGS
        for _context, msgid, msgstr in _entries(mo)
        if NOT_OUR_WORDS.search(msgstr)
    ]
    assert offending == []
    with translation.override("de"):
        for english, german in [
            ("Tier", "Stufe"),
            ("Save", "Speichern"),
            ("Created", "Erstellt"),
            ("Email", "E-Mail"),
            ("Tier 1", "Stufe 1"),
        ]:
            assert translation.gettext(english) == german


@pytest.mark.parametrize(
    ("language", "date", "date_time"),
    [("en", "2 Dec 2026", "2 Dec 2026, 09:05"), ("de", "02.12.2026", "02.12.2026, 09:05")],
)
def test_one_format_per_kind_of_date_in_both_languages(language, date, date_time):  # noqa: ANN001
    moment = datetime(2026, 12, 2, 9, 5, tzinfo=BERLIN)
    with translation.override(language):
        assert {date_format(moment, f) for f in ("DATE_FORMAT", "SHORT_DATE_FORMAT")} == {date}
        assert {date_format(moment, f) for f in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT")} == {date_time}


@pytest.mark.parametrize(
    ("language", "due_text"),
    [("en", "You can expect a first response by 2 Mar 2026, 14:30.\n"), ("de", "bis 02.03.2026, 14:30.\n")],
)
def test_the_receipt_mail_ends_its_due_time_with_one_dot(alice, service_desk, language, due_text):  # noqa: ANN001
    from sla import demo

    demo.default_policy()
    alice.language = language
    alice.save()
    with time_machine.travel(datetime(2026, 3, 2, 10, 30, tzinfo=BERLIN), tick=False):
        ticket_create(requester=alice, by=alice, subject="Printer", description="x")
    body = Notification.objects.get(kind=Notification.Kind.RECEIVED).body_text
    assert due_text in body
    assert ".." not in body


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Response: in 5 days", "Resolve: 3 days overdue"]),
        ("de", ["Antwort: in 5 Tagen", "Lösen: 3 Tage überfällig"]),
    ],
)
def test_relative_times_read_as_a_sentence(alice, service_desk, language, expected):  # noqa: ANN001
    now = timezone.now()
    ticket = ticket_create(requester=alice, by=alice, subject="Printer", description="x")
    upcoming = Ticket(pk=ticket.pk, status="open", first_response_due=now + timedelta(days=5, minutes=1))
    late = Ticket(pk=ticket.pk, status="open", first_response_at=now, resolution_due=now - timedelta(days=3))
    with translation.override(language):
        texts = [
            " ".join(
                re.sub(r"<[^>]+>", " ", render_to_string("tickets/_due.html", {"t": t, "now": now})).split()
            )
            for t in (upcoming, late)
        ]
    assert [t.replace("\xa0", " ") for t in texts] == expected


def test_a_past_moment_reads_ago_in_both_languages():
    from tickets.templatetags.helpdesk_dates import ago

    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=BERLIN), tick=False):
        moment = timezone.now() - timedelta(days=2)
        with translation.override("de"):
            assert ago(moment).replace("\xa0", " ") == "vor 2 Tagen"
        with translation.override("en"):
            assert ago(moment).replace("\xa0", " ") == "2 days ago"


def test_the_german_policy_form_has_no_english_label(client, sam):  # noqa: ANN001
    sam.language = "de"
    sam.save()
    client.force_login(sam)
    html = client.get("/agent/config/sla/policies/new/").content.decode()
    labels = re.findall(r"<label[^>]*>([^<]+)", html)
    assert "Kalender" in labels
    assert "Calendar" not in labels
