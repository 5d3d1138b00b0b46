"""``--from zendesk``: Zendesk's incremental exports played by a local server from documented-shape fixtures."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from django.utils.dateparse import parse_datetime

from accounts.models import User
from importers.services import import_execute
from importers.sources.base import SourceError
from importers.sources.http import JsonApi
from knowledgebase.models import Article
from tests.importers.fakeapi import FakeApi
from tests.importers.zendesk_api import FIXTURES, ZendeskData
from tickets.models import Attachment, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

EMAIL, TOKEN = "admin@helpdesk.example", "zendesk-token"
TICKETS = "/api/v2/incremental/tickets/cursor.json"


@pytest.fixture
def zendesk():  # noqa: ANN201
    with FakeApi(ZendeskData(EMAIL, TOKEN), throttle_once=(TICKETS,)) as api:
        yield api


def client_for(api: FakeApi) -> JsonApi:
    return JsonApi(api.url, auth=(f"{EMAIL}/token", TOKEN))


def run(api: FakeApi, client: JsonApi | None = None, **kw):  # noqa: ANN201
    return import_execute(
        source_name="zendesk",
        location=api.url,
        options={"token": TOKEN, "email": EMAIL, "per_page": 2, "client": client or client_for(api)},
        **kw,
    )


def at(text: str) -> datetime:
    return parse_datetime(text).astimezone(UTC)


def test_tickets_read_the_same_through_our_api_as_in_zendesk(zendesk, api_as, tina) -> None:  # noqa: ANN001
    client = client_for(zendesk)
    started = time.monotonic()
    report, _mapping = run(zendesk, client, by=tina)
    # The incremental export answered 429 once (Retry-After: 1); the client waited and asked again.
    assert zendesk.statuses(TICKETS)[:2] == [429, 200]
    assert client.waited == [1.0]
    assert time.monotonic() - started >= 1
    # start_time once, then the cursor until end_of_stream: 6 tickets at 2 a page.
    pages = [p for _s, p in zendesk.log if p.startswith(TICKETS)]
    assert "start_time=0" in pages[0]
    assert len([p for p in pages if "cursor=" in p]) == 3
    assert report.counts["ticket"]["imported"] == 5

    api = api_as(tina)
    t = api.get("/api/v1/tickets/501/").json()
    assert t["reference"] == "HD-000501"
    assert t["subject"] == "VPN drops every hour"
    assert t["status"] == "open"
    assert t["reopen_count"] == 1  # solved at 09:00, reopened by Petra at 09:40 (the ticket's audits)
    assert t["priority"] == "P2"  # high
    assert t["channel"] == "email"
    assert at(t["created_at"]) == datetime(2024, 3, 4, 8, 15, tzinfo=UTC)
    assert at(t["first_response_at"]) == datetime(2024, 3, 4, 8, 47, 10, tzinfo=UTC)
    assert set(t["tags"]) == {"vpn", "remote_work", "field-360001-gold", "company-acme-gmbh"}
    assert User.objects.get(pk=t["requester"]).email == "petra@acme.example"
    assert User.objects.get(pk=t["assignee"]).role == User.Role.SUPERVISOR  # Zendesk admin
    messages = api.get("/api/v1/tickets/501/messages/").json()["results"]
    assert [(m["internal"], m["author_name"], at(m["created_at"])) for m in messages] == [
        (False, "Petra Wolff", datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),
        (False, "Dana Fischer", datetime(2024, 3, 4, 8, 47, 10, tzinfo=UTC)),
        (True, "Dana Fischer", datetime(2024, 3, 4, 10, 2, 30, tzinfo=UTC)),  # public: false
    ]
    files = api.get("/api/v1/tickets/501/attachments/").json()
    files = files["results"] if isinstance(files, dict) else files
    size = (FIXTURES / "attachments" / "tok501a.bin").stat().st_size
    assert [(f["filename"], f["content_type"], f["size"]) for f in files] == [
        ("screenshot.png", "image/png", size)
    ]
    assert Attachment.objects.get().file.read().startswith(b"\x89PNG")

    solved = api.get("/api/v1/tickets/502/").json()
    assert solved["status"] == "resolved"
    assert at(solved["resolved_at"]) == datetime(2024, 3, 6, 9, 15, tzinfo=UTC)  # the metric set's solved_at
    assert solved["description"] == "Der Drucker im 2. OG druckt nur leere Seiten."
    closed = api.get("/api/v1/tickets/507/").json()  # solved by an agent, closed by Zendesk 4 days later
    assert closed["status"] == "closed"
    assert at(closed["resolved_at"]) == datetime(2024, 3, 10, 10, tzinfo=UTC)
    assert at(closed["closed_at"]) == datetime(2024, 3, 14, 10, tzinfo=UTC)
    hold = api.get("/api/v1/tickets/506/").json()
    assert (hold["status"], hold["priority"], hold["channel"]) == ("pending", "P1", "api")

    de = Article.objects.get(title="VPN-Passwort zurücksetzen")
    assert (de.language, de.status, de.visibility) == (
        "de",
        Article.Status.PUBLISHED,
        Article.Visibility.PUBLIC,
    )
    assert "<b>" not in de.body
    draft = Article.objects.get(title="Wi-Fi for guests")
    assert (draft.language, draft.status, draft.visibility) == (
        "en",
        Article.Status.DRAFT,
        Article.Visibility.INTERNAL,
    )


def test_broken_rows_are_reported_with_their_zendesk_id_and_skipped(zendesk) -> None:  # noqa: ANN001
    report, _mapping = run(zendesk)
    skipped = {(s["kind"], s["source_id"], s["reason"]) for s in report.skipped}
    assert ("ticket", "503", "missing_requester") in skipped
    assert ("ticket", "504", "bad_date") in skipped  # 2024-02-30T25:00:00Z
    assert ("message", "60051", "bad_encoding") in skipped  # lone surrogates in the comment's JSON
    assert not Ticket.objects.filter(pk__in=[503, 504]).exists()
    assert not Message.objects.filter(body__contains="Caf").exists()


def test_a_second_run_changes_nothing_and_since_starts_the_export_there(zendesk) -> None:  # noqa: ANN001
    run(zendesk)
    counts = (
        Ticket.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
        User.objects.count(),
    )
    report, _mapping = run(zendesk)
    assert report.counts["ticket"]["unchanged"] == 5
    assert (
        Ticket.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
        User.objects.count(),
    ) == counts

    zendesk.log.clear()
    since = datetime(2024, 4, 1, tzinfo=UTC)
    report, _mapping = run(zendesk, since=since)
    pages = [p for _s, p in zendesk.log if p.startswith(TICKETS)]
    assert f"start_time={int(since.timestamp())}" in pages[0]
    assert sum(report.counts["ticket"].values()) == 1  # only 506 changed since April
    assert not [p for _s, p in zendesk.log if "/tickets/501/comments" in p]


def test_a_wrong_token_stops_the_import_with_a_message(zendesk) -> None:  # noqa: ANN001
    with pytest.raises(SourceError, match="401"):
        import_execute(
            source_name="zendesk",
            location=zendesk.url,
            options={"token": "wrong", "email": EMAIL, "per_page": 2},
        )


def test_the_command_reads_zendesk_with_an_email_and_token(zendesk, capsys) -> None:  # noqa: ANN001
    from django.core.management import call_command

    zendesk.throttle_once.clear()
    call_command(
        "import_tickets", "--from", "zendesk", zendesk.url, "--token", TOKEN, "--option", f"email={EMAIL}"
    )
    assert "ticket: 5 imported, 2 skipped" in capsys.readouterr().out
    assert Ticket.objects.filter(pk=501).exists()
