"""A large bulk action runs as a job in a real Celery worker (enqueued on commit); its page follows it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import wait_for
from tickets import bulk, services
from tickets.models import BulkJob, Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_large_selection_is_run_by_the_worker_and_its_page_shows_the_result(
    worker, alice, tina, service_desk, monkeypatch
):
    monkeypatch.setattr(bulk, "BULK_INLINE_MAX", 3)  # here; the worker runs whatever the job holds
    tickets = [
        services.ticket_create(requester=alice, by=alice, subject=f"t{i}", description="d") for i in range(7)
    ]
    services.ticket_close(ticket=tickets[0], by=tina)
    client = Client()
    client.force_login(tina)
    # when: the queue's form posts a selection larger than the inline limit
    response = client.post(
        "/agent/bulk/", {"action": "priority", "p_priority": "P1", "ids": [t.pk for t in tickets]}
    )
    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/agent/bulk/{job.pk}/"
    # then: the worker runs it (enqueued after the commit) and the page polls until it is done
    assert wait_for(lambda: BulkJob.objects.get().status == "done", 30), worker[1].read_text()[-2000:]
    job.refresh_from_db()
    assert (job.changed, [s["code"] for s in job.skipped]) == (6, ["closed"])
    assert Ticket.objects.filter(priority="P1").count() == 6
    fragment = client.get(f"/agent/bulk/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "6 changed, 1 skipped: closed" in fragment
    assert "hx-trigger" not in fragment  # done: no more polling
