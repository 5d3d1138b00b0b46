"""Fixtures of the UI tests: a private in-memory cache per test (presence and login throttling live in
the cache), signed-in clients, and a session-wide Chromium for the browser tests."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from tests.conftest import CHROMIUM
from tickets import services

PASSWORD = "pw-Secret-123"  # tests/factories.py UserFactory
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from a thread
    # with a running loop; the tests' own ORM calls are synchronous, so the check is lifted while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
