"""``/api/v1/recurring/`` and the supervisors' page (Configuration → Recurring tickets)."""

from __future__ import annotations

import pytest
from django.test import Client

from recurring.models import RecurringTicket

pytestmark = pytest.mark.django_db


def client_as(user) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(user)
    return c


def payload(alice, **extra):  # noqa: ANN001, ANN201
    return {
        "name": "Monthly licence review",
        "cron": "0 9 1 * *",
        "subject": "Licence review {date}",
        "description": "Count the seats.",
        "requester": alice.pk,
        **extra,
    }


def test_supervisors_create_and_read_with_the_next_runs(api_as, sam, alice, django_assert_max_num_queries):
    api = api_as(sam)
    r = api.post("/api/v1/recurring/", payload(alice, tags=["Licences"]), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["cron"] == "0 9 1 * *"
    assert body["tags"] == ["licences"]
    assert (
        len(body["next_runs"]) == 5
        and "T09:00:00+01:00" in body["next_runs"][0]
        or "+02:00" in body["next_runs"][0]
    )
    for i in range(5):
        api.post("/api/v1/recurring/", payload(alice, name=f"R{i}"), format="json")
    with django_assert_max_num_queries(5):
        r = api.get("/api/v1/recurring/")
    assert len(r.json()["results"]) == 6
    r = api.patch(f"/api/v1/recurring/{body['id']}/", {"active": False}, format="json")
    assert r.status_code == 200
    assert r.json()["next_run_at"] is None
    assert r.json()["next_runs"] == []
    assert api.delete(f"/api/v1/recurring/{body['id']}/").status_code == 204


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"cron": "tomorrow"}, "cron"),
        ({"cron": "0 9 * *"}, "cron"),
        ({"priority": "P9"}, "priority"),
        ({"subject": ""}, "subject"),
    ],
)
def test_bad_input_is_a_field_error(api_as, sam, alice, extra, field):
    r = api_as(sam).post("/api/v1/recurring/", payload(alice, **extra), format="json")
    assert r.status_code == 400
    assert field in r.json(), r.json()
    assert not RecurringTicket.objects.exists()


def test_a_tier_2_team_or_an_agent_as_requester_is_refused(api_as, sam, alice, tina, network_team):
    r = api_as(sam).post("/api/v1/recurring/", payload(alice, team=network_team.pk), format="json")
    assert r.status_code == 400
    assert "team" in r.json()
    r = api_as(sam).post("/api/v1/recurring/", payload(tina), format="json")
    assert r.status_code == 400
    assert "requester" in r.json()


def test_agents_and_customers_get_403(api_as, tina, alice):
    assert api_as(tina).get("/api/v1/recurring/").status_code == 403
    assert api_as(alice).post("/api/v1/recurring/", payload(alice), format="json").status_code == 403


def test_the_page_lists_next_runs_creates_and_shows_errors(sam, alice, tina):
    c = client_as(sam)
    r = c.post(
        "/agent/config/recurring/",
        {"name": "Backups", "cron": "0 8 * * 1-5", "active": "on", "subject": "Backups {date}",
         "description": "Check them.", "requester": "alice", "priority": "", "tags": "backup, daily"},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    s = RecurringTicket.objects.get()
    assert s.tags == ["backup", "daily"]
    assert s.created_by == sam
    html = c.get("/agent/config/recurring/").content.decode()
    assert "Backups" in html
    assert "08:00" in html
    r = c.post(
        "/agent/config/recurring/",
        {"name": "x", "cron": "soon", "subject": "x", "description": "x", "requester": "nobody"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "Enter five fields" in html
    assert RecurringTicket.objects.count() == 1
    assert client_as(tina).get("/agent/config/recurring/").status_code == 403


def test_the_edit_page_shows_ten_next_runs_and_delete_can_be_undone(sam, alice, make_schedule):
    s = make_schedule("30 6 * * *")
    c = client_as(sam)
    r = c.get(f"/agent/config/recurring/{s.pk}/")
    assert r.status_code == 200
    assert len(r.context["next_runs"]) == 10
    assert "06:30" in r.content.decode()
    assert c.get(f"/agent/config/recurring/{s.pk}/delete/").status_code == 200
    r = c.post(f"/agent/config/recurring/{s.pk}/delete/", follow=True)
    assert not RecurringTicket.objects.exists()
    assert "Undo" in r.content.decode()


def test_the_configuration_menu_links_to_it(sam):
    html = client_as(sam).get("/agent/").content.decode()
    assert 'href="/agent/config/recurring/"' in html
