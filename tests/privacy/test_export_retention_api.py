"""The export ZIP, retention rules, and the privacy API."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from privacy.models import RetentionRule, RetentionRun
from privacy.retention import retention_run_all
from tickets import services as ticket_services
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db


def _zip(response) -> zipfile.ZipFile:  # noqa: ANN001
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_export_zip_holds_the_persons_data_and_files(alice, bob, sam, alices_ticket, api_as):
    ticket_services.ticket_create(requester=bob, subject="Bob's secret", description="Bob only", by=bob)
    r = api_as(sam).post(f"/api/v1/privacy/people/{alice.pk}/export/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/zip"
    zf = _zip(r)
    names = zf.namelist()
    assert {"person.json", "tickets.json", "messages.json", "notifications.json", "time_entries.json"} <= set(
        names
    )
    person = json.loads(zf.read("person.json"))
    assert person["email"] == "alice@example.com"
    assert "password" not in person
    tickets = json.loads(zf.read("tickets.json"))
    assert [t["subject"] for t in tickets] == [alices_ticket.subject]
    bodies = [m["body"] for m in tickets[0]["messages"]]
    assert "My address is Elm Street 5" in bodies
    assert tickets[0]["rating"]["score"] == 4
    (attachment,) = tickets[0]["attachments"]
    assert zf.read(attachment["path_in_zip"]) == b"%PDF alice"
    assert "Bob" not in zf.read("tickets.json").decode()
    entry = AuditEntry.objects.get(action="exported")
    assert entry.actor == sam
    assert entry.details["person"] == alice.pk
    assert entry.details["attachments"] == 1


def test_the_export_holds_the_persons_single_sign_on_accounts(alice, sam, api_as):
    from sso.services import provision

    provision(source="saml", external_id="alice@idp", email=alice.email, full_name="Alice", groups=["Staff"])
    zf = _zip(api_as(sam).post(f"/api/v1/privacy/people/{alice.pk}/export/"))
    sign_in = json.loads(zf.read("sign_in.json"))
    assert [(a["source"], a["external_id"], a["groups"]) for a in sign_in["accounts"]] == [
        ("saml", "alice@idp", ["Staff"])
    ]
    assert [s["source"] for s in sign_in["sign_ins"]] == ["saml"]


def test_the_export_page_button_downloads_the_zip(alice, sam, alices_ticket):
    client = Client()
    client.force_login(sam)
    assert client.get(f"/agent/config/privacy/people/{alice.pk}/export/").status_code == 405
    r = client.post(f"/agent/config/privacy/people/{alice.pk}/export/")
    assert r.status_code == 200
    assert "tickets.json" in _zip(r).namelist()


def _closed_ticket(requester, closed_days_ago: int, by) -> Ticket:  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    t = ticket_services.ticket_create(requester=requester, subject="Old", description="Old", by=requester)
    ticket_services.attachment_add(
        ticket=t, by=requester, file=SimpleUploadedFile("a.txt", b"x", "text/plain")
    )
    Ticket.objects.filter(pk=t.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=closed_days_ago)
    )
    return t


def test_retention_removes_old_closed_tickets_once_and_reports_it(
    alice, sam, tina, django_capture_on_commit_callbacks
):
    old = _closed_ticket(alice, 400, tina)
    recent = _closed_ticket(alice, 20, tina)
    open_old = ticket_services.ticket_create(requester=alice, subject="Still open", description="x", by=alice)
    Ticket.objects.filter(pk=open_old.pk).update(created_at=timezone.now() - timedelta(days=800))
    old_file = Attachment.objects.get(ticket=old).file.name
    RetentionRule.objects.create(months=12, created_by=sam)
    with django_capture_on_commit_callbacks(execute=True):
        (run,) = retention_run_all()
    assert (run.removed_tickets, run.removed_attachments, run.ticket_ids) == (1, 1, [old.pk])
    assert not Ticket.objects.filter(pk=old.pk).exists()
    assert Ticket.objects.filter(pk__in=[recent.pk, open_old.pk]).count() == 2
    assert not default_storage.exists(old_file)
    entry = AuditEntry.objects.get(action="retention")
    assert entry.details["tickets"] == 1
    assert entry.details["ticket_ids"] == [old.pk]
    assert entry.actor is None
    # idempotent: the next run removes nothing and writes no audit entry
    (again,) = retention_run_all()
    assert again.removed_tickets == 0
    assert AuditEntry.objects.filter(action="retention").count() == 1
    client = Client()
    client.force_login(sam)
    html = client.get("/agent/config/privacy/").content.decode()
    assert 'id="retention-runs"' in html
    assert '<td data-label="Tickets">1</td>' in html


def test_the_retention_rule_is_set_on_the_page_and_is_audited(sam):
    client = Client()
    client.force_login(sam)
    assert client.post("/agent/config/privacy/", {"months": 0, "active": "on"}).status_code == 400
    assert client.post("/agent/config/privacy/", {"months": 24, "active": "on"}).status_code == 302
    assert client.post("/agent/config/privacy/", {"months": 36, "active": "on"}).status_code == 302
    rule = RetentionRule.objects.get()
    assert rule.months == 36
    entry = AuditEntry.objects.filter(model="privacy.retentionrule").latest("id")
    assert (entry.before, entry.after, entry.actor) == ({"months": 24}, {"months": 36}, sam)


def test_the_erasure_api_confirms_once(alice, sam, api_as, alices_ticket):
    api = api_as(sam)
    r = api.post(f"/api/v1/privacy/people/{alice.pk}/erasure-token/")
    assert r.status_code == 201
    token = r.json()["token"]
    assert api.post(f"/api/v1/privacy/people/{alice.pk}/erase/", {}).json() == {
        "token": ["This field is required."]
    }
    assert api.post(f"/api/v1/privacy/people/{alice.pk}/erase/", {"token": "nope"}).status_code == 400
    r = api.post(f"/api/v1/privacy/people/{alice.pk}/erase/", {"token": token})
    assert r.status_code == 200
    assert r.json()["erased"]["tickets"] == 1
    replay = api.post(f"/api/v1/privacy/people/{alice.pk}/erase/", {"token": token})
    assert replay.status_code == 409
    assert AuditEntry.objects.filter(action="erased").count() == 1


def test_only_supervisors_reach_privacy(alice, tina, api_as):
    for user in (alice, tina):
        api = api_as(user)
        assert api.post(f"/api/v1/privacy/people/{alice.pk}/export/").status_code == 403
        assert api.post(f"/api/v1/privacy/people/{alice.pk}/erasure-token/").status_code == 403
        assert api.get("/api/v1/privacy/retention-rules/").status_code == 403
        client = Client()
        client.force_login(user)
        assert client.get(f"/agent/config/privacy/people/{alice.pk}/").status_code == 403


def test_unknown_people_are_404(sam, api_as):
    assert api_as(sam).post("/api/v1/privacy/people/999999/export/").status_code == 404


def test_retention_rules_and_runs_through_the_api(sam, api_as):
    api = api_as(sam)
    r = api.post("/api/v1/privacy/retention-rules/", {"months": 0})
    assert r.status_code == 400
    assert "months" in r.json()
    assert api.post("/api/v1/privacy/retention-rules/", {"months": 18}).status_code == 201
    assert api.post("/api/v1/privacy/retention-rules/", {"months": 6}).status_code == 400
    retention_run_all()
    runs = api.get("/api/v1/privacy/retention-runs/").json()["results"]
    assert runs[0]["months"] == 18
    assert runs[0]["removed_tickets"] == 0
    assert RetentionRun.objects.count() == 1
