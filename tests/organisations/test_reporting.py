"""The dashboard and every metric filter by organisation (the requesters' organisation)."""

from __future__ import annotations

import pytest

from organisations import services
from tests.reporting.conftest import MARCH_PARAMS, march  # noqa: F401 (the fixture)
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/metrics/summary/"


@pytest.fixture
def acme_alice(request, alice):  # noqa: ANN001, ANN201
    request.getfixturevalue("march")  # the reporting tests' month of tickets (imported above)
    acme = services.organisation_save(name="Acme")
    services.member_add(organisation=acme, user=alice)
    return acme


def _march(**kw):  # noqa: ANN003, ANN202
    return Ticket.objects.filter(created_at__year=2026, created_at__month=3, **kw)


def test_the_summary_counts_only_the_organisations_tickets(acme_alice, alice, sam, api_as):
    client = api_as(sam)
    everything = client.get(URL, MARCH_PARAMS).json()
    acme = client.get(URL, {**MARCH_PARAMS, "organisation": acme_alice.pk}).json()
    assert acme["created"] == _march(requester=alice).count()
    assert 0 < acme["created"] < everything["created"]
    assert acme["filters"]["organisation"] == acme_alice.pk


def test_an_unknown_organisation_is_a_field_error(acme_alice, sam, api_as):
    response = api_as(sam).get(URL, {**MARCH_PARAMS, "organisation": 99999})
    assert response.status_code == 400
    assert "organisation" in response.json()


def test_the_dashboard_and_the_tickets_behind_a_number_filter(acme_alice, alice, bob, sam, client):
    client.force_login(sam)
    page = client.get("/dashboard/", {**MARCH_PARAMS, "organisation": acme_alice.pk})
    assert page.status_code == 200
    assert f'<option value="{acme_alice.pk}" selected>Acme</option>' in page.content.decode()
    listed = client.get(
        "/dashboard/tickets/", {**MARCH_PARAMS, "organisation": acme_alice.pk, "metric": "created"}
    )
    html = listed.content.decode()
    assert listed.status_code == 200
    for t in _march(requester=alice):
        assert t.reference in html
    for t in _march(requester=bob):
        assert t.reference not in html


def test_the_time_report_filters_too(acme_alice, sam, client):
    client.force_login(sam)
    assert client.get("/dashboard/time/", {**MARCH_PARAMS, "organisation": acme_alice.pk}).status_code == 200
