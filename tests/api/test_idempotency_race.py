"""Concurrent requests with one Idempotency-Key create one ticket (real PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tickets.models import IdempotencyKey, Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_requests_with_the_same_key_create_one_ticket(alice, service_desk):
    # given
    workers = 6
    barrier = threading.Barrier(workers)
    results: list[tuple[int, dict]] = []

    def post() -> None:
        try:
            client = APIClient()
            client.force_authenticate(alice)
            barrier.wait()
            response = client.post(
                "/api/v1/tickets/", {"subject": "Once", "description": "d"}, format="json",
                HTTP_IDEMPOTENCY_KEY="race-1",
            )  # fmt: skip
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=post) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # then
    assert Ticket.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert [code for code, _body in results] == [201] * workers
    assert {body["id"] for _code, body in results} == {Ticket.objects.get().pk}
