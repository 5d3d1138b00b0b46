"""POST /api/v1/tickets/bulk/, merge, split and links through the API."""

from __future__ import annotations

import pytest

from tickets import bulk
from tickets.models import BulkJob, Ticket, TicketLink

from .conftest import make_ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/bulk/"


def _many(n, requester):  # noqa: ANN001, ANN202
    return [make_ticket(requester, subject=f"Printer {i}") for i in range(n)]


def test_bulk_by_ids_returns_the_summary(api_as, alice, tina, service_desk):
    tickets = _many(3, alice)
    response = api_as(tina).post(
        URL,
        {"action": "priority", "params": {"priority": "P1"}, "ids": [t.pk for t in tickets]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["changed"], body["summary"]) == ("done", 3, "3 changed")
    assert Ticket.objects.filter(priority="P1").count() == 3


def test_bulk_by_filter_touches_only_the_matching(api_as, alice, tina, service_desk):
    tickets = _many(3, alice)
    api_as(tina).post(
        URL, {"action": "status", "params": {"status": "pending"}, "ids": [tickets[0].pk]}, format="json"
    )
    response = api_as(tina).post(
        URL,
        {"action": "priority", "params": {"priority": "P2"}, "filter": {"status": "pending"}},
        format="json",
    )
    assert response.json()["changed"] == 1
    assert list(Ticket.objects.filter(priority="P2").values_list("pk", flat=True)) == [tickets[0].pk]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "nope", "ids": [1]}, "action"),
        ({"action": "priority", "params": {"priority": "P9"}, "ids": [1]}, "params"),
        ({"action": "priority", "params": {"priority": "P1"}}, "ids"),
        ({"action": "priority", "params": {"priority": "P1"}, "filter": {"status": "bogus"}}, "filter"),
        ({"action": "reply", "params": {"body": "Hi {nope}"}, "ids": [1]}, "params"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_changes_nothing(
    api_as, alice, tina, service_desk, payload, field
):
    ticket = make_ticket(alice)
    payload = {**payload, **({"ids": [ticket.pk]} if "ids" in payload else {})}
    response = api_as(tina).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


def test_customers_may_not_and_invisible_ids_are_left_out(api_as, alice, bob, tina, service_desk):
    ticket = make_ticket(alice)
    assert (
        api_as(alice)
        .post(URL, {"action": "priority", "params": {"priority": "P1"}, "ids": [ticket.pk]}, format="json")
        .status_code
        == 403
    )
    assert api_as(None).post(URL, {}, format="json").status_code in (401, 403)


def test_a_large_selection_answers_202_with_a_job_to_poll(
    api_as, alice, tina, service_desk, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(bulk, "BULK_INLINE_MAX", 2)
    tickets = _many(3, alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(tina).post(
            URL,
            {"action": "priority", "params": {"priority": "P1"}, "ids": [t.pk for t in tickets]},
            format="json",
        )
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "pending"
    assert job["url"].endswith(f"/api/v1/tickets/bulk/{job['job']}/")
    # CELERY_TASK_ALWAYS_EAGER is off in tests: run the job as the worker would
    while bulk.bulk_job_step(job_id=job["job"]):
        pass
    polled = api_as(tina).get(job["url"]).json()
    assert (polled["status"], polled["changed"], polled["summary"]) == ("done", 3, "3 changed")
    assert api_as(make_agent("other")).get(job["url"]).status_code == 404


def make_agent(name):  # noqa: ANN001, ANN201
    from accounts.models import User
    from tests.factories import UserFactory

    return UserFactory(username=name, role=User.Role.AGENT)


@pytest.mark.parametrize("n", [2, 20])
def test_queries_per_chunk_grow_by_a_fixed_number_per_ticket(
    api_as, alice, tina, service_desk, django_assert_max_num_queries, n
):
    tickets = _many(n, alice)
    client = api_as(tina)
    # per ticket: savepoint + release, the service's own lock, UPDATE, version, event, the SLA clock,
    # the webhook outbox; per chunk: the visibility filter and the locks
    with django_assert_max_num_queries(PER_CHUNK + PER_TICKET * n):
        response = client.post(
            URL,
            {"action": "priority", "params": {"priority": "P1"}, "ids": [t.pk for t in tickets]},
            format="json",
        )
    assert response.json()["changed"] == n


PER_CHUNK = 6
PER_TICKET = 12


def test_merge_split_and_link_through_the_api(api_as, alice, bob, tina, service_desk):
    a, b = make_ticket(alice, subject="a"), make_ticket(alice, subject="b")
    theirs = make_ticket(bob, subject="bob")
    client = api_as(tina)
    assert client.post(f"/api/v1/tickets/{a.pk}/merge/", {"target": a.pk}, format="json").status_code == 400
    response = client.post(f"/api/v1/tickets/{a.pk}/merge/", {"target": theirs.pk}, format="json")
    assert response.status_code == 400
    assert "different customers" in str(response.json())
    response = client.post(f"/api/v1/tickets/{a.pk}/merge/", {"target": b.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == b.pk
    assert client.get(f"/api/v1/tickets/{a.pk}/").json()["merged_into"] == b.pk
    assert (
        client.post(
            f"/api/v1/tickets/{theirs.pk}/merge/",
            {"target": a.pk, "allow_other_customer": True},
            format="json",
        ).status_code
        == 409
    )
    # links
    c = make_ticket(alice, subject="c")
    response = client.post(
        f"/api/v1/tickets/{b.pk}/links/", {"target": c.pk, "kind": "parent"}, format="json"
    )
    assert response.status_code == 201
    assert [(x["label"], x["reference"]) for x in client.get(f"/api/v1/tickets/{c.pk}/links/").json()] == [
        ("Child of", b.reference)
    ]
    response = client.post(
        f"/api/v1/tickets/{c.pk}/links/", {"target": b.pk, "kind": "parent"}, format="json"
    )
    assert response.status_code == 400
    assert "circle" in str(response.json())
    link = TicketLink.objects.get(kind="parent")
    assert client.delete(f"/api/v1/tickets/{theirs.pk}/links/{link.pk}/").status_code == 404
    assert client.delete(f"/api/v1/tickets/{c.pk}/links/{link.pk}/").status_code == 204
    # split
    message = client.post(f"/api/v1/tickets/{b.pk}/messages/", {"body": "And my mouse"}, format="json").json()
    response = client.post(
        f"/api/v1/tickets/{b.pk}/messages/{message['id']}/split/", {"subject": "Mouse"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["subject"] == "Mouse"
    # a customer: 404 for someone else's ticket, 403 for their own
    assert (
        api_as(bob).post(f"/api/v1/tickets/{b.pk}/merge/", {"target": c.pk}, format="json").status_code == 404
    )
    assert (
        api_as(alice).post(f"/api/v1/tickets/{b.pk}/merge/", {"target": c.pk}, format="json").status_code
        == 403
    )
    assert BulkJob.objects.count() == 0
