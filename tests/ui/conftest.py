"""Fixtures of the UI tests: a private in-memory cache per test (presence and login throttling live in
the cache), signed-in clients, and a session-wide Chromium for the browser tests."""

from __future__ import annotations

import pytest
from django.test import Client

from tickets import services

PASSWORD = "pw-Secret-123"  # tests/factories.py UserFactory


@pytest.fixture(autouse=True)
def _private_cache(settings, request):  # noqa: ANN001
    if "redis" in request.keywords:
        return
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


@pytest.fixture
def client_as():  # noqa: ANN201
    """``client_as(user)`` → a Django test client signed in as ``user``."""

    def make(user) -> Client:  # noqa: ANN001
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def alice_ticket(alice, service_desk):  # noqa: ANN001
    return services.ticket_create(
        requester=alice, by=alice, subject="VPN drops every few minutes", description="Since the update."
    )
