"""Fixtures of the automation tests: a ticket of alice's at the Service Desk, macros and rules."""

from __future__ import annotations

import pytest
from django.test import Client

from automation import services
from tickets import services as ts


@pytest.fixture
def ticket(alice, network_category):  # noqa: ANN001, ANN201
    return ts.ticket_create(
        requester=alice,
        by=alice,
        subject="VPN drops every few minutes",
        description="Since the update.",
        category=network_category,
    )


@pytest.fixture
def make_rule(sam):  # noqa: ANN001, ANN201
    def make(**fields):  # noqa: ANN003, ANN202
        fields.setdefault("name", "A rule")
        return services.rule_save(user=sam, **fields)

    return make


@pytest.fixture
def client_as():  # noqa: ANN201
    def make(user) -> Client:  # noqa: ANN001
        c = Client()
        c.force_login(user)
        return c

    return make


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
