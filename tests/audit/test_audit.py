"""The admin audit log: recorded by the registry, shown and exported to supervisors, never editable."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory

from accounts.models import Team, User
from audit import registry
from audit.context import acting_as
from audit.models import AuditEntry
from sla.models import Calendar, SlaPolicy
from tests.factories import UserFactory
from tickets.models import Category
from webhooks.models import Webhook

pytestmark = pytest.mark.django_db


def _entries(model: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(model=model).order_by("id"))


def test_a_config_change_records_who_and_before_after(sam):
    calendar = Calendar.objects.create(name="Office")
    with acting_as(sam):
        policy = SlaPolicy.objects.create(name="Premium", calendar=calendar, p1_resolution=120)
        policy.p1_resolution = 60
        policy.save()
        policy.save()  # nothing changed: no entry
        policy.delete()
    created, updated, deleted = _entries("sla.slapolicy")
    assert created.action == "created"
    assert created.actor == sam
    assert created.after["p1_resolution"] == 120
    assert updated.before == {"p1_resolution": 120}
    assert updated.after == {"p1_resolution": 60}
    assert updated.object_repr == "Premium"
    assert deleted.action == "deleted"
    assert deleted.before["name"] == "Premium"
    assert deleted.after is None


def test_roles_and_teams_are_recorded_without_names_or_addresses(sam, tina, service_desk):
    second = Team.objects.create(name="Second line", tier=2)
    with acting_as(sam):
        tina.role = User.Role.SUPERVISOR
        tina.save()
        tina.teams.add(second)
        second.members.remove(tina)  # the reverse side too
    role, added, removed = _entries("accounts.user")[-3:]
    assert (role.before, role.after) == ({"role": "agent"}, {"role": "supervisor"})
    assert added.after["teams"] == sorted([str(service_desk), str(second)])
    assert removed.after["teams"] == [str(service_desk)]
    for entry in (role, added, removed):
        assert entry.object_id == str(tina.pk)
        assert "tina" not in f"{entry.object_repr}{entry.before}{entry.after}".lower()


def test_a_customer_signing_up_or_signing_in_is_not_an_entry(db):
    customer = UserFactory(username="carla")
    customer.last_login = customer.date_joined
    customer.save(update_fields=["last_login"])
    assert not AuditEntry.objects.filter(model="accounts.user").exists()


def test_a_webhook_secret_is_recorded_as_changed_never_its_value(sam):
    with acting_as(sam):
        hook = Webhook.objects.create(url="https://example.com/h", events=["ticket.created"], secret="s" * 20)
        hook.secret = "t" * 20
        hook.save()
    created, updated = _entries("webhooks.webhook")
    assert created.after["secret"] == registry.SECRET_MASK
    assert updated.before == {"secret": registry.SECRET_MASK}
    assert updated.after == {"secret": registry.SECRET_MASK}
    assert "sss" not in str(created.after)
    assert "ttt" not in str(updated.after)


def test_the_actor_comes_from_the_request(sam, network_team):
    sam.is_staff = sam.is_superuser = True
    sam.save()
    client = Client()
    client.force_login(sam)
    response = client.post(
        f"/admin/accounts/team/{network_team.pk}/change/",
        {
            "name": "Networks",
            "tier": 2,
            "specialty": "LAN, WLAN, VPN",
            "is_default_for_tier": "on",
            "routing": "manual",
            "max_open_per_agent": 20,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(model="accounts.team").latest("id")
    assert entry.actor == sam
    assert entry.after == {"name": "Networks"}


def test_the_token_api_names_its_caller(sam, api):
    from apitokens.services import api_token_create

    _token, raw = api_token_create(user=sam, name="CI", scope="write")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post("/api/v1/teams/", {"name": "Field service", "tier": 1}, format="json")
    assert r.status_code == 201, r.content
    entry = AuditEntry.objects.get(model="accounts.team", action="created")
    assert entry.actor == sam


def test_a_rolled_back_change_leaves_no_entry(sam):
    def change_then_fail() -> None:
        with transaction.atomic(), acting_as(sam):
            Team.objects.create(name="Ghosts", tier=1)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert not AuditEntry.objects.filter(model="accounts.team").exists()


def test_entries_cannot_be_changed_or_deleted_in_the_app(sam):
    with acting_as(sam):
        Team.objects.create(name="Ops", tier=1)
    entry = AuditEntry.objects.get(model="accounts.team")
    entry.model = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(model="forged")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    admin = site._registry[AuditEntry]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_whatever_the_code_path(sam):
    with acting_as(sam):
        Team.objects.create(name="Ops", tier=1)
    pk = AuditEntry.objects.get(model="accounts.team").pk
    for sql in (
        "UPDATE audit_auditentry SET model = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [pk])
    assert AuditEntry.objects.get(pk=pk).model == "accounts.team"


def _page(client: Client, query: str = "") -> str:
    response = client.get(f"/agent/config/audit/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_supervisors_see_and_filter_the_log_in_both_languages(sam, tina):
    with acting_as(sam):
        Team.objects.create(name="Ops", tier=1)
    with acting_as(tina):
        Calendar.objects.create(name="Weekend")
    client = Client()
    client.force_login(sam)
    html = _page(client)
    assert "Ops" in html
    assert "Weekend" in html
    assert "Audit log" in html
    html = _page(client, f"?actor={tina.pk}")
    assert "Weekend" in html
    assert "Ops" not in html
    html = _page(client, "?model=accounts.team&action=created")
    assert "Ops" in html
    assert "Weekend" not in html
    assert client.get("/agent/config/audit/?date_from=2026-02-02&date_to=2026-01-01").status_code == 400
    sam.language = "de"
    sam.save()
    with acting_as(sam):
        tina.role = User.Role.SUPERVISOR
        tina.save()
    html = _page(client)
    assert "Rolle:</span> Agent → Supervisor" in html  # choices by their label, never the code
    assert "Änderungsprotokoll" in html
    assert "Erstellt" in html


def test_the_log_is_paginated(sam):
    with acting_as(sam):
        for i in range(55):
            Category.objects.create(name=f"C{i}")
    client = Client()
    client.force_login(sam)
    assert "C54" in _page(client)
    assert "C0<" not in _page(client)
    assert "C0" in _page(client, "?page=2")


def test_the_log_exports_as_csv_with_its_filters(sam):
    with acting_as(sam):
        Team.objects.create(name="=Ops", tier=1)
        Calendar.objects.create(name="Weekend")
    client = Client()
    client.force_login(sam)
    response = client.get("/agent/config/audit/?model=accounts.team&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["object"].startswith("'=Ops")  # a spreadsheet never runs it as a formula
    assert rows[0]["action"] == "created"
    assert rows[0]["actor_id"] == str(sam.pk)
    assert '"tier": 1' in rows[0]["after"]


def test_only_supervisors_see_the_log(tina, alice, api_as, sam):
    for user in (tina, alice):
        client = Client()
        client.force_login(user)
        assert client.get("/agent/config/audit/").status_code == 403
        assert api_as(user).get("/api/v1/audit-log/").status_code == 403
    assert api_as(None).get("/api/v1/audit-log/").status_code in (401, 403)


def test_the_api_lists_and_filters_and_has_no_write_route(sam, api_as):
    with acting_as(sam):
        Team.objects.create(name="Ops", tier=1)
        Calendar.objects.create(name="Weekend")
    api = api_as(sam)
    r = api.get("/api/v1/audit-log/?model=sla.calendar")
    assert r.status_code == 200
    assert [e["object_repr"] for e in r.json()["results"]] == ["Weekend"]
    assert api.get("/api/v1/audit-log/?date_from=nonsense").status_code == 400
    pk = AuditEntry.objects.first().pk
    assert api.post("/api/v1/audit-log/", {}).status_code == 405
    assert api.delete(f"/api/v1/audit-log/{pk}/").status_code == 404
