"""Teams, categories and escalation paths: supervisors write, agents read, customers read categories."""

from __future__ import annotations

import pytest

from accounts.models import Team
from tests.factories import CategoryFactory
from tickets.models import Category, EscalationPath

pytestmark = pytest.mark.django_db


def test_a_supervisor_creates_a_team(api_as, sam):
    response = api_as(sam).post(
        "/api/v1/teams/", {"name": "Server", "tier": 2, "specialty": "Linux, Windows"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["tier"] == 2
    assert Team.objects.filter(name="Server", tier=2).exists()


@pytest.mark.parametrize(
    "body",
    [{"name": "X", "tier": 4}, {"name": "X", "tier": "two"}, {"tier": 1}, {"name": "Network", "tier": 2}],
)
def test_bad_team_input_is_400(api_as, sam, network_team, body):
    before = Team.objects.count()
    response = api_as(sam).post("/api/v1/teams/", body, format="json")
    assert response.status_code == 400
    assert Team.objects.count() == before


def test_a_second_default_team_for_a_tier_is_400_not_500(api_as, sam, service_desk):
    response = api_as(sam).post(
        "/api/v1/teams/", {"name": "Other desk", "tier": 1, "is_default_for_tier": True}, format="json"
    )
    assert response.status_code == 400


def test_agents_read_teams_but_may_not_change_them(api_as, tina, service_desk):
    assert api_as(tina).get("/api/v1/teams/").status_code == 200
    assert api_as(tina).patch(f"/api/v1/teams/{service_desk.pk}/", {"name": "X"}).status_code == 403
    service_desk.refresh_from_db()
    assert service_desk.name == "Service Desk"


def test_customers_read_categories_but_not_teams_or_paths(api_as, alice, network_category):
    client = api_as(alice)
    response = client.get("/api/v1/categories/")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["results"]] == ["Network"]
    assert client.get("/api/v1/teams/").status_code == 403
    assert client.get("/api/v1/escalation-paths/").status_code == 403
    assert client.post("/api/v1/categories/", {"name": "Mine"}).status_code == 403


def test_a_supervisor_builds_a_category_tree(api_as, sam):
    parent = api_as(sam).post("/api/v1/categories/", {"name": "Hardware"}, format="json").json()
    child = api_as(sam).post(
        "/api/v1/categories/", {"name": "Printer", "parent": parent["id"]}, format="json"
    )
    assert child.status_code == 201
    assert Category.objects.get(pk=child.json()["id"]).parent_id == parent["id"]


def test_a_category_cannot_move_into_its_own_subtree(api_as, sam):
    root = CategoryFactory(name="Root")
    child = CategoryFactory(name="Child", parent=root)
    response = api_as(sam).patch(f"/api/v1/categories/{root.pk}/", {"parent": child.pk}, format="json")
    assert response.status_code == 400
    root.refresh_from_db()
    assert root.parent is None


def test_a_category_with_children_cannot_be_deleted(api_as, sam):
    root = CategoryFactory(name="Root")
    CategoryFactory(name="Child", parent=root)
    response = api_as(sam).delete(f"/api/v1/categories/{root.pk}/")
    assert response.status_code == 409
    assert Category.objects.filter(pk=root.pk).exists()


def test_a_supervisor_adds_an_escalation_path(api_as, sam, network_team):
    category = CategoryFactory(name="Wifi")
    response = api_as(sam).post(
        "/api/v1/escalation-paths/",
        {"category": category.pk, "tier": 2, "team": network_team.pk},
        format="json",
    )
    assert response.status_code == 201
    assert EscalationPath.objects.get(category=category, tier=2).team == network_team


def test_a_path_must_use_a_team_of_its_tier_and_be_unique(api_as, sam, network_team, engineering):
    client = api_as(sam)
    other = CategoryFactory(name="Other")
    wrong_tier = client.post(
        "/api/v1/escalation-paths/", {"category": other.pk, "tier": 2, "team": engineering.pk}, format="json"
    )
    assert wrong_tier.status_code == 400
    assert "team" in wrong_tier.json()
    client.post("/api/v1/escalation-paths/", {"category": other.pk, "tier": 2, "team": network_team.pk})
    duplicate = client.post(
        "/api/v1/escalation-paths/", {"category": other.pk, "tier": 2, "team": network_team.pk}, format="json"
    )
    assert duplicate.status_code == 400
    assert EscalationPath.objects.filter(category=other).count() == 1


def test_agents_read_escalation_paths_filtered_by_category(api_as, tina, network_category):
    other = CategoryFactory(name="Other")
    response = api_as(tina).get("/api/v1/escalation-paths/", {"category": network_category.pk})
    assert response.status_code == 200
    assert sorted(p["tier"] for p in response.json()["results"]) == [1, 2, 3]
    assert other.pk not in {p["category"] for p in response.json()["results"]}
    assert api_as(tina).post("/api/v1/escalation-paths/", {}).status_code == 403
