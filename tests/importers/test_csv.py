"""The csv source and the engine's rules: mapping, faithful history, idempotency, broken rows, silence."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Team, User
from importers.lookup import ticket_by_original_number
from importers.models import ImportedRecord
from importers.services import import_execute
from tickets.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

TICKETS = """\
id;subject;description;requester_email;requester_name;state;priority;queue;category;assignee_email;tags;created_at;updated_at;resolved_at;closed_at;Contract
101;Printer jams;The printer on floor 2 jams.;Ann@Example.com;Ann Ames;Closed;High;Hardware;Printers;agent@example.com;printer, floor2;2024-03-01T09:00:00Z;2024-03-02T10:00:00Z;2024-03-02T09:30:00Z;2024-03-02T10:00:00Z;Gold
102;VPN drops;VPN drops every hour.;bob@example.com;Bob Brown;Open;Low;Network;;;;2024-03-05T08:00:00Z;2024-03-05T08:00:00Z;;;
103;No requester;Nobody asked.;;;Open;Low;Network;;;;2024-03-05T08:00:00Z;;;;
104;Bad date;When?;bob@example.com;;Open;Low;Network;;;;yesterday-ish;;;;
105;Odd state;Strange.;bob@example.com;;Frobnicated;Low;Network;;;;2024-03-06T08:00:00Z;;;;
"""
USERS = """\
email,name,role,organisation
ann@example.com,Ann Ames,customer,1
agent@example.com,Alex Agent,agent,
"""
ORGS = "id,name\n1,Acme Corp\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {}
    for name, text in (("tickets.csv", TICKETS), ("users.csv", USERS), ("orgs.csv", ORGS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths[name] = str(tmp_path / name)
    return paths


MAP = """
states: {Open: open, Closed: closed}
"""


def run(files: dict[str, str], **kw):  # noqa: ANN201
    return import_execute(
        source_name="csv",
        location=files["tickets.csv"],
        options={"users": files["users.csv"], "organisations": files["orgs.csv"]},
        mapping_text=kw.pop("mapping_text", MAP),
        **kw,
    )


def test_tickets_keep_their_numbers_times_people_and_mapped_values(files) -> None:  # noqa: ANN001
    report, _mapping = run(files)
    t = Ticket.objects.get(pk=101)  # the original number is the reference: HD-000101
    assert t.subject == "Printer jams"
    assert t.requester.email == "ann@example.com"
    assert t.requester.get_full_name() == "Ann Ames"
    assert t.assignee.email == "agent@example.com"
    assert t.assignee.is_agent
    assert t.status == Ticket.Status.CLOSED
    assert t.priority == "P2"
    assert t.created_at == datetime(2024, 3, 1, 9, tzinfo=UTC)
    # closed counts as solved, at the time the source says it was solved
    assert t.resolved_at == datetime(2024, 3, 2, 9, 30, tzinfo=UTC)
    assert t.closed_at == datetime(2024, 3, 2, 10, tzinfo=UTC)
    assert t.team == Team.objects.get(name="Hardware")
    assert t.category.name == "Printers"
    assert set(t.tags.values_list("name", flat=True)) == {
        "printer",
        "floor2",
        "contract-gold",
        "company-acme-corp",
    }
    kinds = list(t.events.values_list("kind", "created_at"))
    assert kinds[0] == ("created", datetime(2024, 3, 1, 9, tzinfo=UTC))
    assert [k for k, _at in kinds] == ["created", "resolved", "closed"]
    assert report.counts["ticket"]["imported"] == 2
    assert ticket_by_original_number("101") == t


def test_broken_rows_are_reported_with_their_source_id_and_skipped(files) -> None:  # noqa: ANN001
    report, _mapping = run(files)
    reasons = {(s["source_id"], s["reason"]) for s in report.skipped if s["kind"] == "ticket"}
    assert reasons == {("103", "missing_requester"), ("104", "bad_date"), ("105", "unknown_state")}
    assert not Ticket.objects.filter(subject__in=["No requester", "Bad date", "Odd state"]).exists()
    assert "105: unknown_state" in report.text()


def test_a_default_state_maps_the_unknown_and_reports_it_as_unmapped(files) -> None:  # noqa: ANN001
    report, _mapping = run(files, mapping_text=MAP + "default_state: pending\n")
    assert Ticket.objects.get(subject="Odd state").status == Ticket.Status.PENDING
    assert report.unmapped["states"]["Frobnicated"] == 1


def test_a_second_run_changes_nothing_and_a_changed_row_updates(files) -> None:  # noqa: ANN001
    run(files)
    counts = (
        Ticket.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
        User.objects.count(),
    )
    report, _mapping = run(files)
    assert report.counts["ticket"] == {"unchanged": 2, "skipped": 3}
    assert (
        Ticket.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
        User.objects.count(),
    ) == counts
    Path(files["tickets.csv"]).write_text(
        TICKETS.replace(
            "102;VPN drops;VPN drops every hour.;bob@example.com;Bob Brown;Open;Low",
            "102;VPN drops;VPN drops every hour.;bob@example.com;Bob Brown;Closed;Low",
        ).replace(
            "2024-03-05T08:00:00Z;2024-03-05T08:00:00Z;;;",
            "2024-03-05T08:00:00Z;2024-03-07T08:00:00Z;;2024-03-07T08:00:00Z;",
            1,
        ),
        encoding="utf-8",
    )
    report, _mapping = run(files)
    assert report.counts["ticket"]["updated"] == 1
    t = Ticket.objects.get(pk=102)
    assert t.status == Ticket.Status.CLOSED
    assert t.closed_at == datetime(2024, 3, 7, 8, tzinfo=UTC)
    assert Ticket.objects.count() == counts[0]


def test_dry_run_writes_nothing_and_the_command_prints_the_default_mapping(files, capsys) -> None:  # noqa: ANN001
    call_command(
        "import_tickets", "--from", "csv", files["tickets.csv"], "--dry-run", "--users", files["users.csv"]
    )
    out = capsys.readouterr().out
    assert "states:" in out
    assert "Closed: closed" in out
    assert "Frobnicated: null" in out
    assert "dry run" in out
    assert not Ticket.objects.exists()
    assert not ImportedRecord.objects.exists()
    assert User.objects.count() == 0


def test_the_import_is_silent(files, alice, tina, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    from notifications.models import InAppNotification, Notification
    from tickets.services import ticket_create
    from webhooks.models import Delivery, Webhook

    Webhook.objects.create(url="https://hooks.example.com/x", events=["ticket.created", "ticket.updated"])
    tina.teams.add(Team.objects.get_or_create(name="Network", defaults={"tier": 1})[0])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run(files)
    assert not Notification.objects.exists()
    assert not InAppNotification.objects.exists()
    assert not Delivery.objects.exists()
    assert callbacks == []
    assert mail.outbox == []
    # the control: the same setup tells people of a ticket made here
    ticket_create(requester=alice, by=alice, subject="native", description="x")
    assert Delivery.objects.exists()


def test_undecodable_bytes_make_their_row_a_skipped_row(files) -> None:  # noqa: ANN001
    raw = (
        TICKETS.encode()
        + b"106;Caf\xe9 broken;x;bob@example.com;;Open;Low;Network;;;;2024-03-06T08:00:00Z;;;;\n"
    )
    Path(files["tickets.csv"]).write_bytes(raw)
    report, _mapping = run(files)
    assert ("106", "bad_encoding") in {(s["source_id"], s["reason"]) for s in report.skipped}
    assert Ticket.objects.filter(pk=102).exists()
