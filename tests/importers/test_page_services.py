"""The supervisor page's services: starting an import run (input checked, the upload kept, the task
enqueued after commit) and running it (claimed once, progress per batch, the report or the error)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEntry
from importers import services
from importers.engine import Importer
from importers.models import ImportRun
from tests.importers.conftest import dumpdata_upload
from tests.importers.fakeapi import FakeApi
from tests.importers.zammad_api import ZammadData
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


def _uploads() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / services.UPLOAD_DIR
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_dumpdata_upload_is_kept_privately_and_its_task_enqueued_after_commit(
    dataset, sam, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        run = services.import_run_start(by=sam, kind="django-helpdesk", upload=dumpdata_upload(dataset))
    # then
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PENDING
    assert run.source_name == "django-helpdesk"
    assert run.file_name == "helpdesk-dump.json"
    assert run.location == f"imports/{run.pk}/helpdesk-dump.json"
    stored = Path(settings.MEDIA_ROOT) / run.location
    assert stored.read_bytes() == (dataset["dir"] / "dump.json").read_bytes()
    assert stored.stat().st_mode & 0o077 == 0  # readable by the server only


@pytest.mark.parametrize(
    ("kw", "field", "text"),
    [
        ({"kind": "bugzilla"}, "source", "Choose one of the sources"),
        ({"kind": "django-helpdesk"}, "file", "choose the file"),
        ({"kind": "csv", "url": "https://example.com/x.csv"}, "url", "not an address"),
        ({"kind": "zammad", "url": "https://zammad.example"}, "token", "API token"),
        ({"kind": "zammad", "url": "ftp://zammad.example", "token": "t"}, "url", "https://"),
        ({"kind": "zendesk", "token": "t"}, "url", "address of the source"),
        ({"kind": "django-helpdesk-db", "url": "sqlite:////etc/passwd"}, "url", "postgres://"),
        ({"kind": "osticket", "url": "postgres://u@h/db"}, "url", "mysql://"),
        (
            {"kind": "zammad", "url": "https://z.example", "token": "t", "mapping_text": "states: [oops"},
            "mapping",
            "YAML",
        ),
        (
            {
                "kind": "zammad",
                "url": "https://z.example",
                "token": "t",
                "mapping_text": "states: {Open: frobbed}",
            },
            "mapping",
            "use one of",
        ),
        (
            {"kind": "zammad", "url": "https://z.example", "token": "t", "since": "tomorrow"},
            "since",
            "future",
        ),
    ],
)
def test_bad_input_is_refused_per_field_and_nothing_is_saved(sam, kw, field, text) -> None:  # noqa: ANN001
    if kw.get("since") == "tomorrow":
        kw = {**kw, "since": timezone.localdate() + timedelta(days=1)}
    with pytest.raises(ValidationError) as exc:
        services.import_run_start(by=sam, **kw)
    assert text in " ".join(_errors(exc)[field])
    assert not ImportRun.objects.exists()
    assert _uploads() == []


@pytest.mark.parametrize(
    ("kind", "content", "text"),
    [
        ("django-helpdesk", b'{"model": "helpdesk.ticket"}', "not a dumpdata JSON file"),
        ("django-helpdesk", b"", "empty"),
        ("csv", b"\x00\x01\x02binary", "not a text"),
    ],
)
def test_a_file_that_cannot_be_the_source_is_refused(sam, kind, content, text) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as exc:
        services.import_run_start(by=sam, kind=kind, upload=SimpleUploadedFile("x.json", content))
    assert text in " ".join(_errors(exc)["file"])
    assert not ImportRun.objects.exists()
    assert _uploads() == []


def test_a_file_is_refused_for_a_source_read_from_its_address(sam) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as exc:
        services.import_run_start(
            by=sam,
            kind="zammad",
            url="https://z.example",
            token="t",
            upload=SimpleUploadedFile("a.csv", b"a"),
        )
    assert "leave the file out" in " ".join(_errors(exc)["file"])


def test_a_run_imports_the_dumpdata_with_progress_per_batch_and_keeps_the_report(
    dataset, sam, monkeypatch
) -> None:  # noqa: ANN001
    # given
    run = services.import_run_start(by=sam, kind="django-helpdesk", upload=dumpdata_upload(dataset))
    seen: list[tuple[int, int | None]] = []
    batch = Importer._ticket_batch

    def spy(self, records):  # noqa: ANN001, ANN202
        r = ImportRun.objects.get(pk=run.pk)
        seen.append((r.done, r.total))
        return batch(self, records)

    monkeypatch.setattr(Importer, "_ticket_batch", spy)
    # when
    services.import_run_perform(run_id=run.pk, batch_size=1)
    # then: the progress moved after every batch of one ticket, the total known from the start
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4)]
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert (run.done, run.total) == (4, 4)
    assert run.error == ""
    assert run.report["counts"]["ticket"] == {"imported": 3, "skipped": 1}
    assert run.report["reasons"]["ticket"] == {"missing_requester": 1}
    assert {s["number"] for s in run.report["sample"]} == {"1", "2", "3"}
    assert run.mapping["states"]["Closed"] == "closed"
    assert run.started_at
    assert run.finished_at
    assert run.finished_at >= run.started_at
    assert Ticket.objects.get(pk=1).subject == "Printer jams on floor 2"


def test_a_run_is_claimed_once_and_a_second_run_changes_nothing(dataset, sam) -> None:  # noqa: ANN001
    run = services.import_run_start(by=sam, kind="django-helpdesk", upload=dumpdata_upload(dataset))
    services.import_run_perform(run_id=run.pk)
    finished = ImportRun.objects.get(pk=run.pk).finished_at
    # the same task delivered twice: nothing happens
    assert services.import_run_perform(run_id=run.pk) is None
    assert ImportRun.objects.get(pk=run.pk).finished_at == finished
    # run again: the same upload, nothing new
    again = services.import_run_again(run=ImportRun.objects.get(pk=run.pk), by=sam)
    services.import_run_perform(run_id=again.pk)
    again.refresh_from_db()
    assert again.status == ImportRun.Status.DONE
    assert again.report["counts"]["ticket"] == {"unchanged": 3, "skipped": 1}
    assert Ticket.objects.count() == 3


def test_a_busy_run_is_left_alone_and_an_abandoned_one_continued(dataset, sam) -> None:  # noqa: ANN001
    run = services.import_run_start(by=sam, kind="django-helpdesk", upload=dumpdata_upload(dataset))
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, heartbeat_at=timezone.now())
    assert services.import_run_perform(run_id=run.pk) is None
    assert not Ticket.objects.exists()
    stale = timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=stale)
    services.import_run_perform(run_id=run.pk)
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.DONE
    assert Ticket.objects.count() == 3


def test_a_failed_run_keeps_its_error_and_forgets_its_token(sam) -> None:  # noqa: ANN001
    with FakeApi(ZammadData("right-token")) as api:
        run = services.import_run_start(by=sam, kind="zammad", url=api.url, token="wrong-token-s3cret")
        assert ImportRun.objects.get(pk=run.pk).secret == "wrong-token-s3cret"  # kept while waiting
        services.import_run_perform(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert "401" in run.error
    assert run.secret == ""
    assert "s3cret" not in run.error
    assert "s3cret" not in str(run.options)
    assert "s3cret" not in run.location
    # running it again needs the token again
    with pytest.raises(ValidationError) as exc:
        services.import_run_again(run=run, by=sam)
    assert "token" in exc.value.message_dict


def test_a_zammad_run_with_the_right_token_imports(sam) -> None:  # noqa: ANN001
    with FakeApi(ZammadData("zammad-token")) as api:
        run = services.import_run_start(by=sam, kind="zammad", url=api.url, token="zammad-token")
        services.import_run_perform(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.error
    assert run.total is None or run.total == run.done  # Zammad cannot count cheaply: the bar shows done
    assert run.report["counts"]["ticket"]["imported"] >= 1
    assert run.secret == ""


def test_a_database_password_is_kept_out_of_the_location_and_the_error(sam) -> None:  # noqa: ANN001
    url = "mysql://helpdesk:pa55word-x@127.0.0.1:1/osticket"
    run = services.import_run_start(by=sam, kind="osticket", url=url)
    assert run.location == "mysql://helpdesk:***@127.0.0.1:1/osticket"
    assert run.secret == url
    services.import_run_perform(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.error
    assert "pa55word" not in run.error
    assert run.secret == ""
    with pytest.raises(ValidationError):
        services.import_run_again(run=run, by=sam)  # the password is asked for again
    again = services.import_run_again(run=run, by=sam, secret=url)
    assert again.secret == url
    assert again.location == run.location


def test_who_started_an_import_from_where_is_in_the_audit_log_without_the_password(sam) -> None:  # noqa: ANN001
    # when: an osTicket run with a password in its database address, and the same run again
    url = "mysql://ost:pa55word@db.example/osticket"
    run = services.import_run_start(by=sam, kind="osticket", url=url)
    services.import_run_finish(run=run, report=None, error="stopped")
    again = services.import_run_again(run=ImportRun.objects.get(pk=run.pk), by=sam, secret=url)
    # then: two entries by the supervisor, naming source and masked address, never the password
    entries = list(AuditEntry.objects.filter(model="importers.importrun").order_by("at", "pk"))
    assert [(e.action, e.actor_id, e.object_id) for e in entries] == [
        (AuditEntry.Action.CREATED, sam.pk, str(run.pk)),
        (AuditEntry.Action.CREATED, sam.pk, str(again.pk)),
    ]
    assert entries[0].after["source"] == "osticket"
    assert entries[0].after["location"] == "mysql://ost:***@db.example/osticket"
    assert all("pa55word" not in str(e.after) for e in entries)
