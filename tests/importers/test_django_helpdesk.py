"""The real django-helpdesk (from PyPI, in a virtualenv of its own) makes a data set through its own
models; we import its SQLite database and its dumpdata JSON and read the result through our API.

The virtualenv is built once (about 20 s: ``pip install django-helpdesk``) under
``$HELPDESK_IMPORTERS_CACHE`` (default: the system temp dir) and reused; without network access to
PyPI the tests skip, saying so.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest

from accounts.models import User
from importers.services import import_execute
from tests.importers.conftest import HERE, _venv
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db


def _import(dataset: dict, form: str, by=None):  # noqa: ANN001, ANN202
    location = (
        f"sqlite:///{dataset['dir'] / 'helpdesk.sqlite3'}"
        if form == "db"
        else str(dataset["dir"] / "dump.json")
    )
    return import_execute(
        source_name="django-helpdesk",
        location=location,
        options={"media": str(dataset["dir"] / "media")},
        by=by,
    )


@pytest.mark.parametrize("form", ["db", "json"])
def test_round_trip_through_our_api(dataset, form, api_as, sam) -> None:  # noqa: ANN001
    report, _mapping = _import(dataset, form, by=sam)
    api = api_as(sam)
    for source in dataset["summary"]["tickets"]:
        if source["id"] in dataset["summary"]["broken"]:
            assert not Ticket.objects.filter(pk=source["id"]).exists()
            continue
        body = api.get(f"/api/v1/tickets/{source['id']}/").json()
        assert body["reference"] == f"HD-{source['id']:06d}"  # the original number is the reference
        assert body["subject"] == source["title"]
        assert datetime.fromisoformat(body["created_at"].replace("Z", "+00:00")) == datetime.fromisoformat(
            source["created"]
        )
        assert User.objects.get(pk=body["requester"]).email == source["submitter"]
        messages = api.get(f"/api/v1/tickets/{source['id']}/messages/").json()
        rows = messages["results"] if isinstance(messages, dict) else messages
        got = [
            (datetime.fromisoformat(m["created_at"].replace("Z", "+00:00")), m["internal"], m["body"])
            for m in rows
        ]
        want = [
            (datetime.fromisoformat(f["date"]), not f["public"], f["comment"]) for f in source["followups"]
        ]
        assert got == want
    assert ("4", "missing_requester") in {(s["source_id"], s["reason"]) for s in report.skipped}


def test_history_counts_as_it_happened(dataset, sam) -> None:  # noqa: ANN001
    _import(dataset, "db", by=sam)
    t1, t2, t3 = (Ticket.objects.get(pk=n) for n in (1, 2, 3))
    assert t1.status == "closed"
    assert t1.resolved_at is not None
    assert t1.reopen_count == 0
    # the public reply at +2 h (the note at +1 h is no response)
    assert t1.first_response_at == datetime(2024, 5, 6, 11, tzinfo=UTC)
    assert t1.assignee.email == "anna@helpdesk.example"
    assert t1.priority == "P2"
    assert t2.status == "resolved"
    assert t2.reopen_count == 1
    assert t2.customer_followup_count == 1
    # 09:00 + 20 h, when the customer wrote again
    reopened = list(t2.events.filter(kind="reopened").values_list("created_at", flat=True))
    assert reopened == [datetime(2024, 5, 7, 5, tzinfo=UTC)]
    assert t3.status == "open"
    assert t3.first_response_at is None
    assert t3.team.name == "Hardware"
    [attachment] = Attachment.objects.filter(ticket=t1)
    assert attachment.filename == "report.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.file.read() == b"%PDF-1.4 report"
    from knowledgebase.models import Article

    assert set(Article.objects.values_list("title", "language")) == {
        ("Clearing a paper jam", "en"),
        ("VPN-Profil erneuern", "de"),
    }


def test_the_database_and_its_dumpdata_are_one_source(dataset, sam) -> None:  # noqa: ANN001
    _import(dataset, "db", by=sam)
    count = Ticket.objects.count()
    report, _mapping = _import(dataset, "json", by=sam)
    assert Ticket.objects.count() == count
    assert report.counts["ticket"]["unchanged"] == 3


def test_a_reply_to_django_helpdesks_mail_threads_onto_the_imported_ticket(dataset, sam) -> None:  # noqa: ANN001
    from mailin import services as mailin
    from tests.mailin.conftest import make_mail

    _import(dataset, "db", by=sam)
    open_ticket = Ticket.objects.get(pk=3)  # "Need a second screen", queue hw, carl's
    # django-helpdesk's own subject tag: [queue-slug-id]
    raw = make_mail(
        sender="carl@customer.example", subject="Re: [hw-3] Need a second screen", body="Any news?"
    )
    inbound = mailin.inbound_process(pk=mailin.inbound_store(raw=raw).pk)
    assert inbound.ticket == open_ticket
    assert open_ticket.messages.get(body="Any news?").match_reason == "matched by original number in subject"


def test_since_imports_only_what_changed_since_the_date(dataset, sam, tmp_path) -> None:  # noqa: ANN001
    import shutil

    copy = tmp_path / "helpdesk.sqlite3"  # the session's data set stays as it was
    shutil.copy(dataset["dir"] / "helpdesk.sqlite3", copy)
    location = f"sqlite:///{copy}"
    options = {"media": str(dataset["dir"] / "media")}
    import_execute(source_name="django-helpdesk", location=location, options=options, by=sam)
    before = {t.pk: (t.subject, t.updated_at, t.messages.count()) for t in Ticket.objects.all()}
    subprocess.run(  # noqa: S603
        [str(_venv()), str(HERE / "django_helpdesk_site" / "change_dataset.py"), str(copy)], check=True
    )
    report, _mapping = import_execute(
        source_name="django-helpdesk",
        location=location,
        options=options,
        by=sam,
        since=datetime(2024, 6, 1, tzinfo=UTC),
    )
    # only ticket 3 was modified after the date: it alone was read, and it got its new reply
    assert report.counts["ticket"] == {"updated": 1}
    t3 = Ticket.objects.get(pk=3)
    assert t3.messages.filter(body="The screen is ordered.", internal=False).count() == 1
    assert t3.messages.count() == before[3][2] + 1
    assert t3.first_response_at is not None
    # the others are untouched, even ticket 2, whose title changed without its "modified" moving
    for pk, (subject, updated_at, messages) in before.items():
        if pk != 3:
            t = Ticket.objects.get(pk=pk)
            assert (t.subject, t.updated_at, t.messages.count()) == (subject, updated_at, messages)
    # without --since the edit of ticket 2 is found too; ticket 3 stays as it is
    report, _mapping = import_execute(
        source_name="django-helpdesk", location=location, options=options, by=sam
    )
    assert report.counts["ticket"] == {"updated": 1, "unchanged": 2, "skipped": 1}  # 2; 1, 3; 4 is broken
    assert Ticket.objects.get(pk=2).subject == "VPN drops (edited without touching modified)"
