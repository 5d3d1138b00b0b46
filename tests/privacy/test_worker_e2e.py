"""Retention run by the real thing: Celery beat schedules the sweep, a worker deletes the tickets."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from privacy.models import RetentionRule, RetentionRun
from tests.conftest import wait_for
from tickets import services as ticket_services
from tickets.models import Ticket


@pytest.fixture
def retention_worker(monkeypatch, request):  # noqa: ANN001, ANN201
    monkeypatch.setenv("PRIVACY_RETENTION_SECONDS", "1")  # read by the worker's settings
    return request.getfixturevalue("worker")


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_apply_the_retention_rule_once(alice, sam, retention_worker):
    old = ticket_services.ticket_create(requester=alice, subject="Old", description="x", by=alice)
    kept = ticket_services.ticket_create(requester=alice, subject="Recent", description="x", by=alice)
    Ticket.objects.filter(pk=old.pk).update(status="closed", closed_at=timezone.now() - timedelta(days=400))
    Ticket.objects.filter(pk=kept.pk).update(status="closed", closed_at=timezone.now() - timedelta(days=10))
    RetentionRule.objects.create(months=6, created_by=sam)
    _proc, log_path = retention_worker
    assert wait_for(lambda: not Ticket.objects.filter(pk=old.pk).exists(), 40), log_path.read_text()[-3000:]
    assert wait_for(lambda: RetentionRun.objects.count() >= 3, 20)  # later sweeps ran too
    time.sleep(1)
    assert Ticket.objects.filter(pk=kept.pk).exists()
    assert sum(RetentionRun.objects.values_list("removed_tickets", flat=True)) == 1
    assert AuditEntry.objects.filter(action="retention").count() == 1
    assert "privacy.tasks.retention_sweep" in log_path.read_text()
