"""``--from zammad``: Zammad's REST API played by a local server from documented-shape fixtures."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from django.utils.dateparse import parse_datetime

from accounts.models import User
from importers.services import import_execute
from importers.sources.http import JsonApi
from tests.importers.fakeapi import FakeApi
from tests.importers.zammad_api import FIXTURES, ZammadData
from tickets.models import Attachment, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

TOKEN = "zammad-token"


@pytest.fixture
def zammad():  # noqa: ANN201
    with FakeApi(ZammadData(TOKEN), throttle_once=("/api/v1/tickets",)) as api:
        yield api


def run(api: FakeApi, client: JsonApi | None = None, **kw):  # noqa: ANN201
    client = client or JsonApi(api.url, headers={"Authorization": f"Token token={TOKEN}"})
    return import_execute(
        source_name="zammad",
        location=api.url,
        options={"token": TOKEN, "per_page": 2, "client": client},
        **kw,
    )


def at(text: str) -> datetime:
    return parse_datetime(text).astimezone(UTC)


def test_tickets_read_the_same_through_our_api_as_in_zammad(zammad, api_as, tina) -> None:  # noqa: ANN001
    client = JsonApi(zammad.url, headers={"Authorization": f"Token token={TOKEN}"})
    started = time.monotonic()
    report, _mapping = run(zammad, client)
    # The first tickets page was throttled: answered 429 once, waited out (Retry-After: 1), retried.
    assert zammad.statuses("/api/v1/tickets")[:2] == [429, 200]
    assert client.waited == [1.0]
    assert time.monotonic() - started >= 1
    # Paginated by page/per_page: 7 tickets at 2 per page are 4 pages.
    assert {p for s, p in zammad.log if p.startswith("/api/v1/tickets?")} >= {
        f"/api/v1/tickets?expand=true&page={n}&per_page=2" for n in (1, 2, 3, 4)
    }
    assert report.counts["ticket"]["imported"] == 4

    api = api_as(tina)
    t = api.get("/api/v1/tickets/31001/").json()  # Zammad's number is our reference
    assert t["reference"] == "HD-031001"
    assert t["subject"] == "VPN drops every hour"
    assert t["status"] == "open"
    assert t["reopen_count"] == 1  # closed at 09:00, reopened by Petra at 09:40 (the ticket's history)
    assert t["priority"] == "P2"  # "3 high"
    assert at(t["created_at"]) == datetime(2024, 3, 4, 8, 15, tzinfo=UTC)
    assert at(t["first_response_at"]) == datetime(2024, 3, 4, 8, 47, 10, tzinfo=UTC)
    assert set(t["tags"]) == {"vpn", "remote-work", "company-acme-gmbh"}
    assert User.objects.get(pk=t["requester"]).email == "petra@acme.example"
    # The customer's Zammad organisation is her organisation here, and her primary one
    (membership,) = User.objects.get(pk=t["requester"]).org_memberships.select_related("organisation")
    assert (membership.organisation.name, membership.is_primary) == ("Acme GmbH", True)
    assert report.counts["organisation"]["imported"] == 2  # Acme GmbH and Globex Ltd (Jane's)
    assert set(
        User.objects.get(email="tom@acme.example").org_memberships.values_list(
            "organisation__name", flat=True
        )
    ) == {"Acme GmbH"}
    assert User.objects.get(pk=t["assignee"]).email == "dana.agent@helpdesk.example"
    assert User.objects.get(pk=t["assignee"]).role == User.Role.SUPERVISOR  # Zammad's Admin role

    messages = api.get("/api/v1/tickets/31001/messages/").json()["results"]
    assert [(m["internal"], m["author_kind"], at(m["created_at"])) for m in messages] == [
        (False, "customer", datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),
        (False, "agent", datetime(2024, 3, 4, 8, 47, 10, tzinfo=UTC)),
        (True, "agent", datetime(2024, 3, 4, 10, 2, 30, tzinfo=UTC)),
    ]
    assert messages[0]["author_name"] == "Petra Wolff"
    assert "drops every hour since Monday" in messages[0]["body"]
    assert "<p>" not in messages[0]["body"]
    files = api.get("/api/v1/tickets/31001/attachments/").json()
    files = files["results"] if isinstance(files, dict) else files
    assert sorted((f["filename"], f["content_type"], f["size"]) for f in files) == [
        ("screenshot.png", "image/png", (FIXTURES / "attachments" / "11.bin").stat().st_size),
        ("vpn-client.log", "text/plain", (FIXTURES / "attachments" / "12.bin").stat().st_size),
    ]
    stored = Attachment.objects.get(filename="screenshot.png")
    assert stored.file.read().startswith(b"\x89PNG")

    closed = api.get("/api/v1/tickets/31002/").json()
    assert closed["status"] == "closed"
    assert at(closed["closed_at"]) == datetime(2024, 3, 6, 9, 30, tzinfo=UTC)
    assert closed["team"] is not None
    assert closed["tags"] == ["company-acme-gmbh", "printer"]

    network = api.get("/api/v1/tickets/31007/").json()
    assert network["status"] == "pending"  # "pending reminder"
    notes = api.get("/api/v1/tickets/31007/messages/").json()["results"]
    assert [m["internal"] for m in notes] == [True]  # the first public text became the description
    assert network["description"] == "Port Gi1/0/24 in rack B4 goes up and down."


def test_broken_rows_are_reported_with_their_zammad_id_and_skipped(zammad) -> None:  # noqa: ANN001
    report, _mapping = run(zammad)
    skipped = {(s["kind"], s["source_id"], s["reason"]) for s in report.skipped}
    assert ("ticket", "3", "missing_requester") in skipped
    assert ("ticket", "4", "unknown_state") in skipped  # "escalated to vendor": nobody mapped it
    assert ("ticket", "5", "bad_date") in skipped
    assert ("message", "9", "bad_encoding") in skipped  # lone surrogates in the article's JSON
    assert not Ticket.objects.filter(pk__in=[31003, 31004, 31005]).exists()
    assert not Message.objects.filter(body__contains="Caf").exists()


def test_a_second_run_changes_nothing_and_since_asks_only_for_what_changed(zammad) -> None:  # noqa: ANN001
    run(zammad)
    counts = (
        Ticket.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
        User.objects.count(),
    )
    report, _mapping = run(zammad)
    assert report.counts["ticket"]["unchanged"] == 4
    assert (
        Ticket.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
        User.objects.count(),
    ) == counts

    zammad.log.clear()
    report, _mapping = run(zammad, since=datetime(2024, 4, 1, tzinfo=UTC))
    searched = [p for _s, p in zammad.log if p.startswith("/api/v1/tickets/search")]
    assert searched
    assert "updated_at" in searched[0]
    assert not [p for _s, p in zammad.log if p.startswith("/api/v1/ticket_articles/by_ticket/1")]
    assert sum(report.counts["ticket"].values()) == 1  # only ticket 7 changed since April
    assert Ticket.objects.count() == counts[0]


def test_a_wrong_token_stops_the_import_with_a_message(zammad) -> None:  # noqa: ANN001
    from importers.sources.base import SourceError

    with pytest.raises(SourceError, match="401"):
        import_execute(source_name="zammad", location=zammad.url, options={"token": "wrong", "per_page": 2})


def test_an_attachment_over_the_limit_is_reported_and_its_message_kept(zammad, settings) -> None:  # noqa: ANN001
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 60  # the screenshot (69 bytes) is too large, the log not
    report, _mapping = run(zammad)
    skipped = {(s["kind"], s["source_id"], s["reason"]) for s in report.skipped}
    assert ("attachment", "11", "oversized_attachment") in skipped
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["vpn-client.log"]
    assert Ticket.objects.get(pk=31001).messages.count() == 3


def test_the_command_dry_run_prints_zammads_values_as_the_default_mapping(zammad, capsys) -> None:  # noqa: ANN001
    from django.core.management import call_command

    zammad.throttle_once.clear()
    call_command(
        "import_tickets",
        "--from",
        "zammad",
        zammad.url,
        "--token",
        TOKEN,
        "--option",
        "per_page=3",
        "--dry-run",
    )
    out = capsys.readouterr().out
    assert "pending reminder: pending" in out
    assert "high: P2" in out  # "3 high" without Zammad's sort number
    assert "2nd Level Network" in out
    assert "dry run" in out
    assert not Ticket.objects.exists()
