"""``--from osticket``: the osTicket tables the importer reads, in a real MariaDB (or SQLite where none runs)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils.dateparse import parse_datetime

from accounts.models import User
from importers.services import import_execute
from knowledgebase.models import Article
from tests.importers import osticket_db
from tickets.models import Attachment, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

BACKENDS = ["mariadb", "sqlite"]


@pytest.fixture(params=BACKENDS)
def osticket(request, tmp_path: Path):  # noqa: ANN001, ANN201
    if request.param == "mariadb":
        if not osticket_db.mysql_available():
            if os.environ.get("OSTICKET_TEST_REQUIRE_MYSQL"):
                pytest.fail(f"CI: no MariaDB at {osticket_db.MYSQL_HOST}:{osticket_db.MYSQL_PORT}")
            pytest.skip(
                f"no MariaDB/MySQL at {osticket_db.MYSQL_HOST}:{osticket_db.MYSQL_PORT} (SQLite runs instead)"
            )
        url, drop = osticket_db.create_mysql()
        yield url
        drop()
    else:
        # A text column holding bytes that are not UTF-8 (old latin-1 installs): SQLite keeps them as they are.
        bad = osticket_db._entry(11, 6, "M", "x", "2024-04-02 09:00:00", user=3, fmt="text")
        bad["body"] = b"Caf\xe9 au lait"
        yield osticket_db.create_sqlite(tmp_path / "osticket.db", extra={"ost_thread_entry": [bad]})


def run(url: str, **kw):  # noqa: ANN201
    return import_execute(source_name="osticket", location=url, **kw)


def at(text: str) -> datetime:
    return parse_datetime(text).astimezone(UTC)


def test_tickets_threads_and_faqs_read_the_same_through_our_api(osticket, api_as, tina) -> None:  # noqa: ANN001
    report, _mapping = run(osticket, by=tina)  # an agent runs it: the FAQs' author
    assert report.counts["ticket"]["imported"] == 3
    assert report.counts["kb_article"]["imported"] == 2
    api = api_as(tina)

    t = api.get("/api/v1/tickets/100231/").json()  # osTicket's number is our reference
    assert t["reference"] == "HD-100231"
    assert t["subject"] == "VPN drops every hour"
    assert t["status"] == "open"
    assert t["priority"] == "P2"  # "High" on the ticket form
    assert t["channel"] == "email"
    assert at(t["created_at"]) == datetime(2024, 3, 4, 8, 15, tzinfo=UTC)
    assert at(t["first_response_at"]) == datetime(2024, 3, 4, 8, 47, 10, tzinfo=UTC)
    assert "company-acme-gmbh" in t["tags"]
    assert User.objects.get(pk=t["requester"]).email == "petra@acme.example"
    assert User.objects.get(pk=t["assignee"]).email == "dana@helpdesk.example"
    messages = api.get("/api/v1/tickets/100231/messages/").json()["results"]
    assert [(m["internal"], m["author_kind"], m["author_name"], at(m["created_at"])) for m in messages] == [
        (False, "customer", "Petra Wolff", datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),
        (False, "agent", "Dana Fischer", datetime(2024, 3, 4, 8, 47, 10, tzinfo=UTC)),
        (True, "agent", "Dana Fischer", datetime(2024, 3, 4, 10, 2, 30, tzinfo=UTC)),  # the note (type N)
    ]
    files = api.get("/api/v1/tickets/100231/attachments/").json()
    files = files["results"] if isinstance(files, dict) else files
    assert [(f["filename"], f["content_type"], f["size"]) for f in files] == [
        ("vpn-fehler.png", "image/png", len(osticket_db.PNG))  # ost_attachment.name over ost_file.name
    ]
    assert Attachment.objects.get().file.read() == osticket_db.PNG

    closed = api.get("/api/v1/tickets/100232/").json()
    assert closed["status"] == "closed"
    assert at(closed["closed_at"]) == datetime(2024, 3, 6, 9, 30, tzinfo=UTC)
    assert closed["channel"] == "phone"
    assert closed["description"] == "Der Drucker im 2. OG druckt nur leere Seiten."
    team = api.get(f"/api/v1/teams/{closed['team']}/").json()
    assert team["name"] == "Network Operations"

    reopened = api.get("/api/v1/tickets/100236/").json()
    assert reopened["status"] == "open"
    assert reopened["reopen_count"] == 1  # closed on April 2nd, reopened by the customer on the 3rd
    emergency = Ticket.objects.get(pk=100236)
    assert emergency.priority == "P1"
    assert emergency.category.name == "Network Outage"

    faq = Article.objects.get(title="How do I reset my VPN password?")
    assert faq.status == Article.Status.PUBLISHED
    assert faq.visibility == Article.Visibility.PUBLIC
    assert "Forgot password" in faq.body
    assert "<b>" not in faq.body
    assert Article.objects.get(title="Wi-Fi for guests (draft)").status == Article.Status.DRAFT


def test_broken_rows_are_reported_with_their_osticket_id_and_skipped(osticket) -> None:  # noqa: ANN001
    report, _mapping = run(osticket)
    skipped = {(s["kind"], s["source_id"], s["reason"]) for s in report.skipped}
    assert ("ticket", "3", "missing_requester") in skipped  # user 99 does not exist
    assert ("ticket", "4", "unknown_state") in skipped  # status 42 does not exist
    assert ("ticket", "5", "bad_date") in skipped  # 0000-00-00 00:00:00
    assert not Ticket.objects.filter(pk__in=[100233, 100234, 100235]).exists()
    if osticket.startswith("sqlite"):
        assert ("message", "11", "bad_encoding") in skipped
        assert not Message.objects.filter(body__contains="au lait").exists()


def test_a_second_run_changes_nothing_and_since_reads_only_what_changed(osticket) -> None:  # noqa: ANN001
    run(osticket)
    counts = (
        Ticket.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
        User.objects.count(),
    )
    report, _mapping = run(osticket)
    assert report.counts["ticket"]["unchanged"] == 3
    assert (
        Ticket.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
        User.objects.count(),
    ) == counts

    # In osTicket, an agent answers ticket 100231 and closes it; a new ticket comes in.
    osticket_db.add_rows(
        osticket,
        "ost_thread_entry",
        [osticket_db._entry(20, 1, "R", "<p>Fixed the IKE lifetime.</p>", "2024-05-10 09:00:00", staff=1)],
        update={
            "UPDATE ost_ticket SET status_id = 3, closed = '2024-05-10 09:05:00', updated = '2024-05-10 09:05:00'"
            " WHERE ticket_id = ?": [1]
        },
    )
    report, _mapping = run(osticket, since=datetime(2024, 5, 3, tzinfo=UTC))
    assert report.counts["ticket"] == {"updated": 1}  # only what changed since May 3rd was read
    t = Ticket.objects.get(pk=100231)
    assert t.status == Ticket.Status.CLOSED
    assert t.closed_at == datetime(2024, 5, 10, 9, 5, tzinfo=UTC)
    assert t.messages.filter(body="Fixed the IKE lifetime.").exists()
    assert Ticket.objects.count() == counts[0]


def test_a_time_zone_in_the_url_reads_osticket_times_in_it(osticket) -> None:  # noqa: ANN001
    sep = "&" if "?" in osticket else "?"
    run(f"{osticket}{sep}tz=Europe/Berlin")
    assert Ticket.objects.get(pk=100231).created_at == datetime(2024, 3, 4, 7, 15, tzinfo=UTC)


def test_the_command_reads_an_osticket_database_url(osticket, capsys) -> None:  # noqa: ANN001
    from django.core.management import call_command

    call_command("import_tickets", "--from", "osticket", osticket)
    out = capsys.readouterr().out
    assert "ticket: 3 imported, 3 skipped" in out
    assert "HD-100231 (was 100231)" in out


def test_an_osticket_1_10_database_without_attachment_names_keeps_the_files_name(tmp_path, tina) -> None:  # noqa: ANN001
    import sqlite3

    url = osticket_db.create_sqlite(tmp_path / "osticket-1.10.db")
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    conn.execute("ALTER TABLE ost_attachment DROP COLUMN name")  # 1.10 has no per-attachment name
    conn.commit()
    conn.close()
    report, _mapping = run(url, by=tina)
    assert report.counts["ticket"]["imported"] == 3
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["screenshot.png"]
