"""The REST API of macros, rules, applying a macro and the automation log."""

from __future__ import annotations

import pytest

from automation import services
from automation.models import Macro, Rule

pytestmark = pytest.mark.django_db


def test_agent_creates_a_macro_and_applies_it_to_a_ticket(
    api_as, tina, ticket, django_assert_max_num_queries
):
    api = api_as(tina)
    r = api.post(
        "/api/v1/macros/",
        {
            "name": "Waiting",
            "actions": [
                {"type": "set_status", "value": "pending"},
                {"type": "reply", "body": "Dear {customer_name}, please send logs."},
            ],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    macro_id = r.json()["id"]
    assert r.json()["action_lines"] == [
        "Set status: Pending",
        "Public reply: Dear {customer_name}, please send logs.",
    ]
    with django_assert_max_num_queries(60):
        r = api.post(f"/api/v1/tickets/{ticket.pk}/apply-macro/", {"macro": macro_id}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["outcome"] == "applied"
    assert r.json()["kind"] == "macro"
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    log = api.get(f"/api/v1/tickets/{ticket.pk}/automation-log/").json()
    assert [entry["name"] for entry in log] == ["Waiting"]


def test_macro_list_is_a_constant_number_of_queries(api_as, tina, sam, django_assert_max_num_queries):
    for i in range(15):
        services.macro_save(
            user=sam,
            name=f"M{i}",
            shared=True,
            actions=[{"type": "set_assignee", "value": tina.pk}, {"type": "add_tags", "value": ["x"]}],
        )
    with django_assert_max_num_queries(6):
        r = api_as(tina).get("/api/v1/macros/")
    assert r.status_code == 200
    assert len(r.json()["results"]) == 15
    assert r.json()["results"][0]["action_lines"][0].startswith("Assign to: Tina")


def test_macros_of_others_are_404_and_shared_ones_read_only_for_agents(api_as, tina, nick, sam, ticket):
    mine = services.macro_save(user=tina, name="Mine", actions=[{"type": "add_tags", "value": ["a"]}])
    shared = services.macro_save(
        user=sam, name="Shared", shared=True, actions=[{"type": "add_tags", "value": ["b"]}]
    )
    api = api_as(nick)
    assert api.get(f"/api/v1/macros/{mine.pk}/").status_code == 404
    assert (
        api.post(f"/api/v1/tickets/{ticket.pk}/apply-macro/", {"macro": mine.pk}, format="json").status_code
        == 404
    )
    r = api.patch(f"/api/v1/macros/{shared.pk}/", {"name": "Hijacked"}, format="json")
    assert r.status_code == 400
    assert Macro.objects.get(pk=shared.pk).name == "Shared"
    r = api.post(
        "/api/v1/macros/",
        {"name": "x", "shared": True, "actions": [{"type": "add_tags", "value": ["c"]}]},
        format="json",
    )
    assert r.status_code == 400
    assert "shared" in r.json()


def test_customers_cannot_reach_macros_or_rules(api_as, alice, ticket):
    api = api_as(alice)
    assert api.get("/api/v1/macros/").status_code == 403
    assert api.get("/api/v1/rules/").status_code == 403
    assert api.get(f"/api/v1/tickets/{ticket.pk}/automation-log/").status_code == 403


def test_bad_macro_input_is_a_400_with_the_problems(api_as, tina):
    r = api_as(tina).post(
        "/api/v1/macros/", {"name": "", "actions": [{"type": "set_priority", "value": "P7"}]}, format="json"
    )
    assert r.status_code == 400
    r = api_as(tina).post(
        "/api/v1/macros/",
        {"name": "Bad", "actions": [{"type": "set_priority", "value": "P7"}]},
        format="json",
    )
    assert r.status_code == 400
    assert "Action 1 (Set priority)" in r.json()["actions"][0]
    assert not Macro.objects.exists()


def test_supervisor_manages_rules_and_gets_the_reason_for_a_refused_one(api_as, sam, tina):
    api = api_as(sam)
    r = api.post(
        "/api/v1/rules/",
        {
            "name": "Close resolved",
            "trigger": "time",
            "since": "resolved",
            "hours": 168,
            "actions": [{"type": "set_status", "value": "closed"}],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    r = api.post(
        "/api/v1/rules/",
        {
            "name": "Never",
            "trigger": "customer_replied",
            "conditions": [{"field": "status", "op": "in", "value": ["closed"]}],
            "actions": [{"type": "add_tags", "value": ["x"]}],
        },
        format="json",
    )
    assert r.status_code == 400
    assert "can never match" in r.json()["conditions"][0]
    assert Rule.objects.count() == 1
    assert api_as(tina).get("/api/v1/rules/").status_code == 403
    rules = api.get("/api/v1/rules/").json()["results"]
    assert [x["name"] for x in rules] == ["Close resolved"]


def test_dry_run_of_a_draft_and_of_a_saved_rule(api_as, sam, ticket):
    api = api_as(sam)
    body = {
        "name": "VPN",
        "trigger": "created",
        "conditions": [{"field": "text", "op": "contains", "value": "vpn"}],
        "actions": [{"type": "add_tags", "value": ["vpn"]}],
    }
    r = api.post("/api/v1/rules/dry-run/", body, format="json")
    assert r.status_code == 200
    assert r.json()["total"] == 1
    assert r.json()["tickets"][0]["reference"] == ticket.reference
    assert not Rule.objects.exists()
    assert not ticket.tags.exists()
    rule_id = api.post("/api/v1/rules/", body, format="json").json()["id"]
    assert api.get(f"/api/v1/rules/{rule_id}/dry-run/").json()["total"] == 1


def test_rules_move_up_and_down(api_as, sam, make_rule):
    a = make_rule(name="A", trigger="created", actions=[{"type": "add_tags", "value": ["a"]}])
    b = make_rule(name="B", trigger="created", actions=[{"type": "add_tags", "value": ["b"]}])
    assert api_as(sam).post(f"/api/v1/rules/{b.pk}/move-up/").status_code == 204
    assert list(Rule.objects.values_list("name", flat=True)) == ["B", "A"]
    assert api_as(sam).post(f"/api/v1/rules/{a.pk}/move-down/").status_code == 204
    assert list(Rule.objects.values_list("name", flat=True)) == ["B", "A"]  # already last
