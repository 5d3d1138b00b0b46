"""Time on the supervisor dashboard: totals per customer, team and agent, the CSV, the API."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tickets import services as ts
from timetracking import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(vpn_ticket, alice, bob, tina, nick, service_desk):  # noqa: ANN001
    services.time_entry_create(ticket=vpn_ticket, by=tina, minutes=30, billable=True)
    services.time_entry_create(ticket=vpn_ticket, by=nick, minutes=15)
    bobs = ts.ticket_create(requester=bob, by=bob, subject="=HYPERLINK(evil)", description="Formula")
    services.time_entry_create(ticket=bobs, by=tina, minutes=60, note="=cmd|' /C calc'!A0", billable=True)
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        old = ts.ticket_create(requester=alice, by=alice, subject="Old", description="Long ago")
        services.time_entry_create(ticket=old, by=tina, minutes=500)
    return bobs


def test_the_page_sums_per_customer_team_and_agent(client_as, sam, logged, django_assert_max_num_queries):
    client = client_as(sam)
    with django_assert_max_num_queries(12):  # session, user, 4 sums, the filters' choices
        r = client.get("/dashboard/time/?days=30")
    assert r.status_code == 200
    report = r.context["report"]
    assert (report["minutes"], report["billable_minutes"], report["entries"]) == (105, 90, 3)
    assert [(c["name"], c["minutes"]) for c in report["by_customer"]] == [("Bob", 60), ("Alice", 45)]
    assert [(a["name"], a["minutes"], a["billable_minutes"]) for a in report["by_agent"]] == [
        ("Tina", 90, 90),
        ("Nick", 15, 0),
    ]
    assert [(t["name"], t["minutes"]) for t in report["by_team"]] == [("Service Desk", 105)]
    html = r.content.decode()
    assert "1 h 45 min" in html
    assert "Bob" in html


def test_filters_apply(client_as, sam, logged, service_desk, network_team):
    r = client_as(sam).get("/dashboard/time/?days=90&billable=no")
    assert r.context["report"]["minutes"] == 515
    r = client_as(sam).get(f"/dashboard/time/?days=30&team={network_team.pk}")
    assert r.context["report"]["minutes"] == 0
    r = client_as(sam).get("/dashboard/time/?from=2026-02-10&to=2026-01-01")
    assert r.status_code == 400


def test_only_supervisors(client_as, tina, alice):
    assert client_as(tina).get("/dashboard/time/").status_code == 403
    assert client_as(alice).get("/dashboard/time/").status_code == 403


def test_csv_per_agent_and_all_entries_neutralise_formulas(client_as, sam, logged):
    r = client_as(sam).get("/dashboard/time/agents.csv?days=30")
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert rows[0] == ["id", "name", "minutes", "billable_minutes", "entries"]
    assert [row[1:] for row in rows[1:]] == [["Tina", "90", "90", "2"], ["Nick", "15", "0", "1"]]
    r = client_as(sam).get("/dashboard/time/entries.csv?days=30")
    text = b"".join(r.streaming_content).decode()
    assert "'=cmd|' /C calc'!A0" in text
    assert ",=cmd" not in text
    assert client_as(sam).get("/dashboard/time/nothing.csv").status_code == 404
    r = client_as(sam).get("/dashboard/time/agents.csv?from=2026-02-10&to=2026-01-01")
    assert r.status_code == 400
    assert "from" in r.content.decode()


def test_the_api_gives_the_same_totals(api_as, sam, tina, logged):
    r = api_as(sam).get("/api/v1/metrics/time/?days=30&billable=yes")
    assert r.status_code == 200
    assert r.json()["minutes"] == 90
    assert api_as(tina).get("/api/v1/metrics/time/").status_code == 403
    assert api_as(sam).get("/api/v1/metrics/time/?from=nonsense").status_code == 400


def test_the_dashboard_links_to_it(client_as, sam):
    html = client_as(sam).get("/dashboard/?days=7").content.decode()
    assert "/dashboard/time/?" in html


def test_the_tables_show_the_largest_first_and_the_csv_has_all(logged, client_as, sam):
    from timetracking.selectors import TimeFilters, time_report

    today = timezone.localdate()
    report = time_report(TimeFilters(date_from=today - timedelta(days=29), date_to=today), limit=1)
    assert [c["name"] for c in report["by_customer"]] == ["Bob"]
    assert report["minutes"] == 105  # the totals are not cut
    r = client_as(sam).get("/dashboard/time/customers.csv?days=30")
    assert len(b"".join(r.streaming_content).decode().strip().splitlines()) == 3
