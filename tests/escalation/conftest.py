"""Fixtures of the escalation tests: a complete handoff and a ticket waiting at tier 1."""

from __future__ import annotations

import pytest

from tickets import services as core

HANDOFF = {
    "reason": "needs_expertise",
    "summary": "VPN drops every five minutes since the router firmware update on Monday.",
    "steps_taken": "Reinstalled the VPN client, checked credentials, tested on a second laptop: same drops.",
    "diagnostics": "Client log shows IKE SA expired; Windows 11 23H2, client 5.2.1",
    "customer_impact": "Cannot work from home; whole sales team of 6 affected.",
}


@pytest.fixture
def handoff() -> dict:
    return dict(HANDOFF)


@pytest.fixture
def vpn_ticket(alice, network_category, service_desk):  # noqa: ANN001, ANN201
    """Alice's VPN ticket at tier 1, in the Service Desk queue."""
    return core.ticket_create(
        requester=alice,
        by=alice,
        subject="VPN keeps dropping",
        description="Every few minutes the VPN disconnects.",
        category=network_category,
    )


@pytest.fixture
def page_as(browser, live_server):  # noqa: ANN001, ANN201
    """``page_as(user)`` → a browser page signed in as ``user`` (session cookie, no login form needed)."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def make(user):  # noqa: ANN001, ANN202
        client = Client()
        client.force_login(user)
        context = browser.new_context(base_url=live_server.url, locale="en-US")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
