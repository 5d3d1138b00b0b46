from __future__ import annotations

import pytest

from escalation import services
from escalation.models import Consult, Escalation
from tests.factories import TeamFactory
from tickets import services as core

pytestmark = pytest.mark.django_db


def _escalate_url(ticket) -> str:  # noqa: ANN001
    return f"/api/v1/tickets/{ticket.pk}/escalate/"


# --- escalate ---------------------------------------------------------------------------------------


def test_agent_escalates_with_a_complete_handoff(api_as, tina, vpn_ticket, handoff, network_team):
    # when
    res = api_as(tina).post(_escalate_url(vpn_ticket), {**handoff, "from_tier": 1, "articles_tried": [7]})
    # then
    assert res.status_code == 201, res.data
    body = res.json()
    assert body["to_tier"] == 2
    assert body["to_team"] == network_team.pk
    assert body["status"] == "pending"
    assert body["summary"] == handoff["summary"]
    assert body["articles_tried"] == [7]
    assert body["created_by"] == tina.pk


def test_incomplete_handoff_is_400_with_both_fields_named(api_as, tina, vpn_ticket, handoff):
    res = api_as(tina).post(_escalate_url(vpn_ticket), {**handoff, "summary": "broken", "steps_taken": ""})
    assert res.status_code == 400
    assert set(res.json()) == {"summary", "steps_taken"}


def test_missing_reason_is_400_with_the_field_named(api_as, tina, vpn_ticket, handoff):
    del handoff["reason"]
    res = api_as(tina).post(_escalate_url(vpn_ticket), handoff)
    assert res.status_code == 400
    assert "reason" in res.json()


def test_team_of_another_tier_is_400_on_team(api_as, tina, vpn_ticket, handoff, engineering):
    res = api_as(tina).post(_escalate_url(vpn_ticket), {**handoff, "team": engineering.pk})
    assert res.status_code == 400
    assert "team" in res.json()


def test_stale_from_tier_is_409_and_tier_3_is_400(api_as, tina, nick, vpn_ticket, handoff):
    assert api_as(tina).post(_escalate_url(vpn_ticket), {**handoff, "from_tier": 1}).status_code == 201
    assert api_as(tina).post(_escalate_url(vpn_ticket), {**handoff, "from_tier": 1}).status_code == 409
    assert api_as(nick).post(_escalate_url(vpn_ticket), {**handoff, "from_tier": 2}).status_code == 201
    res = api_as(nick).post(_escalate_url(vpn_ticket), handoff)
    assert res.status_code == 400
    assert "detail" in res.json()


def test_resolved_ticket_is_400(api_as, tina, vpn_ticket, handoff):
    core.ticket_resolve(ticket=vpn_ticket, by=tina, resolution="Restarted the router")
    assert api_as(tina).post(_escalate_url(vpn_ticket), handoff).status_code == 400


def test_customers_get_404_even_for_their_own_ticket(api_as, alice, bob, vpn_ticket, handoff, tina):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    consult = Consult.objects.create(ticket=vpn_ticket, team=esc.to_team, question="q", asked_by=tina)
    for customer in (alice, bob):
        client = api_as(customer)
        responses = [
            client.post(_escalate_url(vpn_ticket), handoff),
            client.get("/api/v1/escalations/"),
            client.get(f"/api/v1/escalations/{esc.pk}/"),
            client.post(f"/api/v1/escalations/{esc.pk}/accept/"),
            client.post(f"/api/v1/escalations/{esc.pk}/decline/", {"reason": "no"}),
            client.post(f"/api/v1/tickets/{vpn_ticket.pk}/de-escalate/", {"instructions": "x y z"}),
            client.get(f"/api/v1/tickets/{vpn_ticket.pk}/consults/"),
            client.post(f"/api/v1/consults/{consult.pk}/answer/", {"answer": "a"}),
            client.post(f"/api/v1/consults/{consult.pk}/escalate/", {}),
        ]
        assert [r.status_code for r in responses] == [404] * len(responses)
        for r in responses:
            assert handoff["summary"] not in r.content.decode()


def test_anonymous_is_401(api_as, vpn_ticket, handoff):
    assert api_as(None).get("/api/v1/escalations/").status_code == 401
    assert api_as(None).post(_escalate_url(vpn_ticket), handoff).status_code == 401


def test_unknown_ticket_is_404(api_as, tina, handoff):
    assert api_as(tina).post("/api/v1/tickets/999999/escalate/", handoff).status_code == 404


# --- list, accept, decline ------------------------------------------------------------------------


def test_list_filters_by_team_status_and_ticket_with_bounded_queries(
    api_as, nick, tina, alice, network_category, handoff, network_team, django_assert_max_num_queries
):
    server = TeamFactory(name="Server", tier=2)
    tickets = []
    for i in range(6):
        t = core.ticket_create(
            requester=alice, by=alice, subject=f"t{i}", description="d", category=network_category
        )
        tickets.append(t)
        services.ticket_escalate(ticket=t, by=tina, **handoff, team=server if i % 2 else None)
    first = Escalation.objects.filter(ticket=tickets[0]).get()
    services.escalation_accept(escalation=first, by=nick)
    client = api_as(nick)

    with django_assert_max_num_queries(4):
        res = client.get("/api/v1/escalations/", {"team": network_team.pk, "status": "pending"})
    assert res.status_code == 200
    body = res.json()
    assert set(body) >= {"next", "previous", "results"}
    assert len(body["results"]) == 2
    assert all(r["to_team"] == network_team.pk and r["status"] == "pending" for r in body["results"])

    res = client.get("/api/v1/escalations/", {"ticket": tickets[1].pk})
    assert [r["ticket"] for r in res.json()["results"]] == [tickets[1].pk]
    res = client.get("/api/v1/escalations/", {"page_size": 2})
    assert len(res.json()["results"]) == 2
    assert res.json()["next"]
    assert client.get("/api/v1/escalations/", {"status": "nonsense"}).status_code == 400


def test_accept_and_decline_permission_matrix(api_as, tina, nick, erin, sam, vpn_ticket, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    url = f"/api/v1/escalations/{esc.pk}/"
    assert api_as(erin).post(url + "accept/").status_code == 403  # another team
    assert api_as(tina).post(url + "decline/", {"reason": "Not yours"}).status_code == 403  # the sender
    res = api_as(nick).post(url + "decline/", {"reason": ""})
    assert res.status_code == 400
    assert "reason" in res.json()
    res = api_as(nick).post(url + "accept/")
    assert res.status_code == 200
    assert res.json()["status"] == "accepted"
    assert res.json()["accepted_by"] == nick.pk
    assert res.json()["time_to_accept_seconds"] >= 0
    assert api_as(sam).post(url + "accept/").status_code == 409
    assert api_as(nick).post("/api/v1/escalations/999999/accept/").status_code == 404


def test_decline_returns_the_ticket(api_as, tina, nick, vpn_ticket, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    res = api_as(nick).post(f"/api/v1/escalations/{esc.pk}/decline/", {"reason": "Please add the event log"})
    assert res.status_code == 200
    assert res.json()["decline_reason"] == "Please add the event log"
    vpn_ticket.refresh_from_db()
    assert vpn_ticket.tier == 1


# --- de-escalate, consults ------------------------------------------------------------------------


def test_deescalate(api_as, tina, nick, vpn_ticket, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    url = f"/api/v1/tickets/{vpn_ticket.pk}/de-escalate/"
    forbidden = api_as(tina).post(url, {"to_tier": 1, "instructions": "Not my ticket, but let me try this"})
    assert forbidden.status_code == 403
    res = api_as(nick).post(url, {"to_tier": 1, "instructions": ""})
    assert res.status_code == 400
    assert "instructions" in res.json()
    res = api_as(nick).post(
        url, {"to_tier": 1, "instructions": "Solution found, guide the customer through steps 1-3"}
    )
    assert res.status_code == 201
    assert (res.json()["from_tier"], res.json()["to_tier"]) == (2, 1)
    # now at tier 1, held by tina: nothing lower to return it to
    res = api_as(tina).post(
        url, {"to_tier": 1, "instructions": "Solution found, guide the customer through steps"}
    )
    assert res.status_code == 400
    assert "to_tier" in res.json()


def test_consult_answer_then_escalate(api_as, tina, nick, erin, vpn_ticket, network_team):
    res = api_as(tina).post(
        f"/api/v1/tickets/{vpn_ticket.pk}/consults/",
        {"team": network_team.pk, "question": "Known VPN issue?"},
    )
    assert res.status_code == 201
    consult_id = res.json()["id"]
    assert (
        api_as(tina).post(f"/api/v1/tickets/{vpn_ticket.pk}/consults/", {"team": network_team.pk}).status_code
        == 400
    )
    assert api_as(erin).post(f"/api/v1/consults/{consult_id}/answer/", {"answer": "dunno"}).status_code == 403
    res = api_as(nick).post(
        f"/api/v1/consults/{consult_id}/answer/", {"answer": "Yes: firmware bug, send it up"}
    )
    assert res.status_code == 200
    assert res.json()["status"] == "answered"
    res = api_as(tina).get(f"/api/v1/tickets/{vpn_ticket.pk}/consults/")
    assert [c["id"] for c in res.json()] == [consult_id]
    res = api_as(tina).post(f"/api/v1/consults/{consult_id}/escalate/", {})
    assert res.status_code == 201, res.data
    assert "Known VPN issue?" in res.json()["summary"]
    assert "firmware bug" in res.json()["summary"]
    assert api_as(tina).post(f"/api/v1/consults/{consult_id}/escalate/", {}).status_code == 409


def test_ordering_accepts_only_the_allowlist(api_as, nick, tina, vpn_ticket, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    client = api_as(nick)
    assert client.get("/api/v1/escalations/", {"ordering": "id"}).status_code == 200
    # a lookup across relations is ignored, never applied (no probing of password hashes)
    res = client.get("/api/v1/escalations/", {"ordering": "created_by__password"})
    assert res.status_code == 200
    assert len(res.json()["results"]) == 1
