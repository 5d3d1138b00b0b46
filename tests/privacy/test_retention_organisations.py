"""Retention per organisation: an organisation's own rule takes precedence for its primary members'
requests; the global rule covers everyone else. Set on the page and through the API, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from organisations import services as org_services
from privacy.models import RetentionRule
from privacy.retention import retention_run_all
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _closed(requester, days_ago: int) -> Ticket:  # noqa: ANN001
    t = ticket_services.ticket_create(requester=requester, subject="Old", description="Old", by=requester)
    Ticket.objects.filter(pk=t.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=days_ago)
    )
    return t


@pytest.fixture
def acme(alice):  # noqa: ANN001, ANN201
    org = org_services.organisation_save(name="Acme")
    org_services.member_add(organisation=org, user=alice)
    return org


def test_an_organisations_rule_takes_precedence_over_the_global_one(acme, alice, bob, sam) -> None:  # noqa: ANN001
    # given: 12 months for everyone, 24 for Acme (alice's primary organisation); bob is in none
    alices_400, alices_800 = _closed(alice, 400), _closed(alice, 800)
    bobs_400 = _closed(bob, 400)
    RetentionRule.objects.create(months=12, created_by=sam)
    RetentionRule.objects.create(scope="organisation", organisation=acme, months=24, created_by=sam)
    # when
    runs = {r.rule.organisation_id: r for r in retention_run_all()}
    # then: the global rule left Acme's tickets alone; Acme's rule took only the one past 24 months
    assert runs[None].ticket_ids == [bobs_400.pk]
    assert runs[acme.pk].ticket_ids == [alices_800.pk]
    assert list(Ticket.objects.values_list("pk", flat=True)) == [alices_400.pk]
    entry = AuditEntry.objects.get(action="retention", details__organisation=acme.pk)
    assert entry.object_repr == "Acme: closed tickets older than 24 months"


def test_an_inactive_organisation_rule_leaves_its_tickets_to_the_global_rule(acme, alice, sam) -> None:  # noqa: ANN001
    old = _closed(alice, 400)
    RetentionRule.objects.create(months=12, created_by=sam)
    RetentionRule.objects.create(scope="organisation", organisation=acme, months=24, active=False)
    retention_run_all()
    assert not Ticket.objects.filter(pk=old.pk).exists()


def test_the_page_saves_changes_and_deletes_an_organisations_rule(acme, sam) -> None:  # noqa: ANN001
    client = Client()
    client.force_login(sam)
    form = {"form": "organisation", "organisation": acme.pk, "months": 36, "active": "on"}
    # bad input: a form error, nothing saved
    r = client.post("/agent/config/privacy/", {**form, "months": 0})
    assert r.status_code == 400
    assert 'id="retention-org-form"' in r.content.decode()
    assert not RetentionRule.objects.exists()
    # made, then changed (one rule per organisation), then deleted
    assert client.post("/agent/config/privacy/", form).status_code == 302
    assert client.post("/agent/config/privacy/", {**form, "months": 48}).status_code == 302
    (rule,) = RetentionRule.objects.all()
    assert (rule.scope, rule.organisation, rule.months, rule.created_by) == ("organisation", acme, 48, sam)
    html = client.get("/agent/config/privacy/").content.decode()
    assert '<td data-label="Organisation">Acme</td>' in html
    assert client.post("/agent/config/privacy/", {"form": "delete", "rule": rule.pk}).status_code == 302
    assert not RetentionRule.objects.exists()
    actions = list(
        AuditEntry.objects.filter(model="privacy.retentionrule")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "updated", "deleted"]


def test_the_api_makes_one_rule_per_organisation(acme, sam, api_as) -> None:  # noqa: ANN001
    api = api_as(sam)
    r = api.post("/api/v1/privacy/retention-rules/", {"organisation": acme.pk, "months": 24})
    assert r.status_code == 201
    assert (r.json()["scope"], r.json()["organisation"]) == ("organisation", acme.pk)
    again = api.post("/api/v1/privacy/retention-rules/", {"organisation": acme.pk, "months": 6})
    assert again.status_code == 400
    assert "organisation" in again.json()
    other = org_services.organisation_save(name="Globex")
    moved = api.patch(f"/api/v1/privacy/retention-rules/{r.json()['id']}/", {"organisation": other.pk})
    assert moved.status_code == 400
    assert "organisation" in moved.json()
    assert api.post("/api/v1/privacy/retention-rules/", {"months": 12}).json()["scope"] == "global"
