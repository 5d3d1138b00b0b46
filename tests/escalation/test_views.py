from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Team
from escalation import services
from escalation.models import Escalation
from escalation.panels import actions_context, handoff_card_context
from tests.factories import CategoryFactory, TeamFactory, UserFactory
from tickets import services as core
from tickets.models import EscalationPath
from tickets.panels import agent_ticket_panels, nav_entries, render_panels
from tickets.selectors import message_visible_qs

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def _post_escalate(client: Client, ticket, data: dict):  # noqa: ANN001, ANN202
    return client.post(
        f"/agent/tickets/{ticket.pk}/escalate/", {"from_tier": ticket.tier, "to_tier": 2, **data}
    )


def test_escalate_page_offers_reasons_and_the_target_tier_teams(tina, vpn_ticket, network_team, engineering):
    res = _client(tina).get(f"/agent/tickets/{vpn_ticket.pk}/escalate/")
    assert res.status_code == 200
    html = res.content.decode()
    assert 'value="needs_permissions"' in html
    assert 'value="sla_breach"' in html
    assert "Network" in html
    assert f'name="from_tier" value="{vpn_ticket.tier}"' in html


def test_incomplete_escalate_form_names_the_fields(tina, vpn_ticket, handoff):
    res = _post_escalate(_client(tina), vpn_ticket, {**handoff, "summary": "", "steps_taken": "tried"})
    assert res.status_code == 400
    html = res.content.decode()
    assert 'id="errors-summary"' in html
    assert 'id="errors-steps_taken"' in html
    assert "Required" in html
    assert "Too short" in html
    assert not Escalation.objects.exists()


def test_escalate_form_escalates_and_shows_the_card(tina, vpn_ticket, handoff, network_team):
    from knowledgebase.models import Article

    ids = [
        Article.objects.create(slug=f"a{i}", title=f"A{i}", body="b", status="published").pk for i in (1, 2)
    ]
    res = _post_escalate(_client(tina), vpn_ticket, {**handoff, "articles_tried": [ids[1], ids[0]]})
    assert res.status_code == 302
    esc = Escalation.objects.get()
    assert esc.articles_tried == sorted(ids)
    assert res["Location"] == f"/agent/tickets/{vpn_ticket.pk}/handoffs/"


def test_stale_escalate_form_says_someone_escalated_already(tina, vpn_ticket, handoff):
    client = _client(tina)
    assert _post_escalate(client, vpn_ticket, handoff).status_code == 302
    res = client.post(f"/agent/tickets/{vpn_ticket.pk}/escalate/", {"from_tier": 1, "to_tier": 2, **handoff})
    assert res.status_code in (400, 409)
    assert Escalation.objects.count() == 1


def test_card_shows_the_handoff_and_accept_for_the_receiving_team(tina, nick, vpn_ticket, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    res = _client(nick).get(f"/agent/tickets/{vpn_ticket.pk}/handoffs/")
    html = res.content.decode()
    assert res.status_code == 200
    for value in handoff.values():
        if value != "needs_expertise":
            assert value in html
    assert "Needs expertise" in html
    assert "Escalated by Tina" in html
    assert 'id="accept-escalation"' in html
    # tina (sending team) sees the card but no accept button
    assert (
        'id="accept-escalation"'
        not in _client(tina).get(f"/agent/tickets/{vpn_ticket.pk}/handoffs/").content.decode()
    )


def test_accept_via_the_card(tina, nick, vpn_ticket, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    res = _client(nick).post(
        f"/agent/escalations/{esc.pk}/accept/", {"next": f"/agent/tickets/{vpn_ticket.pk}/"}
    )
    assert res.status_code == 302
    assert res["Location"] == f"/agent/tickets/{vpn_ticket.pk}/"
    vpn_ticket.refresh_from_db()
    assert vpn_ticket.assignee == nick
    assert _client(nick).get(f"/agent/escalations/{esc.pk}/accept/").status_code == 405


def test_next_to_another_host_is_ignored(tina, nick, vpn_ticket, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    res = _client(nick).post(f"/agent/escalations/{esc.pk}/accept/", {"next": "https://evil.example/"})
    assert res["Location"] == f"/agent/tickets/{vpn_ticket.pk}/handoffs/"


def test_decline_form_sends_it_back_to_tier_1_with_the_reason(tina, nick, vpn_ticket, handoff, service_desk):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    client = _client(nick)
    res = client.post(f"/agent/escalations/{esc.pk}/decline/", {"reason": ""})
    assert res.status_code == 400
    assert 'id="errors-reason"' in res.content.decode()
    res = client.post(
        f"/agent/escalations/{esc.pk}/decline/", {"reason": "Missing diagnostics: add the event log"}
    )
    assert res.status_code == 302
    vpn_ticket.refresh_from_db()
    assert (vpn_ticket.tier, vpn_ticket.team) == (1, service_desk)
    html = _client(tina).get(f"/agent/tickets/{vpn_ticket.pk}/handoffs/").content.decode()
    assert "Missing diagnostics: add the event log" in html
    assert "Declined" in html


def test_deescalate_form(tina, nick, vpn_ticket, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    services.escalation_accept(escalation=esc, by=nick)
    client = _client(nick)
    res = client.post(f"/agent/tickets/{vpn_ticket.pk}/de-escalate/", {"to_tier": 1, "instructions": "fix"})
    assert res.status_code == 400
    assert 'id="errors-instructions"' in res.content.decode()
    res = client.post(
        f"/agent/tickets/{vpn_ticket.pk}/de-escalate/",
        {"to_tier": 1, "instructions": "Solution found: guide the customer through steps 1-3"},
    )
    assert res.status_code == 302
    vpn_ticket.refresh_from_db()
    assert vpn_ticket.tier == 1
    html = _client(tina).get(f"/agent/tickets/{vpn_ticket.pk}/handoffs/").content.decode()
    assert "guide the customer through steps 1-3" in html


def test_consult_answered_then_escalated_via_the_forms(tina, nick, vpn_ticket, network_team):
    tina_c, nick_c = _client(tina), _client(nick)
    res = tina_c.post(
        f"/agent/tickets/{vpn_ticket.pk}/consult/",
        {"team": network_team.pk, "question": "Is firmware 7.1 known to drop VPN tunnels?"},
    )
    assert res.status_code == 302
    consult = vpn_ticket.consults.get()
    queue = nick_c.get("/agent/escalations/").content.decode()
    assert "Is firmware 7.1 known to drop VPN tunnels?" in queue
    res = nick_c.post(f"/agent/consults/{consult.pk}/answer/", {"answer": "Yes, known bug, we take it."})
    assert res.status_code == 302
    # the escalate form comes prefilled from the consult
    html = tina_c.get(f"/agent/consults/{consult.pk}/escalate/").content.decode()
    assert "known bug, we take it" in html
    form = {
        "reason": "needs_expertise",
        "to_tier": 2,
        "team": network_team.pk,
        "from_tier": 1,
        "summary": services.consult_handoff_prefill(consult=consult)["summary"],
        "steps_taken": services.consult_handoff_prefill(consult=consult)["steps_taken"],
    }
    assert tina_c.post(f"/agent/consults/{consult.pk}/escalate/", form).status_code == 302
    consult.refresh_from_db()
    assert consult.escalation is not None
    assert consult.escalation.to_team == network_team


def test_queue_lists_pending_escalations_of_my_teams_with_bounded_queries(
    tina, nick, erin, alice, network_category, handoff, django_assert_max_num_queries
):
    for i in range(5):
        t = core.ticket_create(
            requester=alice, by=alice, subject=f"VPN {i}", description="d", category=network_category
        )
        services.ticket_escalate(ticket=t, by=tina, **handoff)
    client = _client(nick)
    with django_assert_max_num_queries(10):
        res = client.get("/agent/escalations/")
    html = res.content.decode()
    assert html.count('id="esc-row-') == 5
    assert handoff["summary"][:50] in html
    assert "Tina" in html
    # erin's team (tier 3) has nothing waiting
    assert 'id="esc-row-' not in _client(erin).get("/agent/escalations/").content.decode()


# session, user, the user's team ids, escalations, consults: however many rows the page shows.
QUEUE_PAGE_QUERIES = 5


def _fill_queue(*, senders, alice, category, handoff, network_team) -> None:  # noqa: ANN001
    """Escalations from several senders (and the system) plus consults, each on its own ticket."""
    for i in range(12):
        t = core.ticket_create(
            requester=alice, by=alice, subject=f"VPN {i}", description="d", category=category
        )
        services.ticket_escalate(ticket=t, by=senders[i % len(senders)], **handoff)
    t = core.ticket_create(requester=alice, by=alice, subject="Breached", description="d", category=category)
    services.ticket_escalate(ticket=t, by=None, **{**handoff, "reason": "sla_breach"})
    for i in range(3):
        t = core.ticket_create(
            requester=alice, by=alice, subject=f"Ask {i}", description="d", category=category
        )
        services.consult_create(
            ticket=t,
            by=senders[i % len(senders)],
            team=network_team,
            question=f"Is firmware 7.{i} known bad?",
        )


def test_queue_page_makes_the_same_few_queries_however_many_rows(
    tina, nick, alice, service_desk, network_category, network_team, handoff, django_assert_max_num_queries
):
    # given escalations and consults from three different senders and the system
    senders = [
        tina,
        *(
            UserFactory(username=f"sender{i}", first_name=f"Sender{i}", role="agent", teams=[service_desk])
            for i in range(2)
        ),
    ]
    _fill_queue(
        senders=senders, alice=alice, category=network_category, handoff=handoff, network_team=network_team
    )
    client = _client(nick)
    # when the receiving agent opens the queue
    with django_assert_max_num_queries(QUEUE_PAGE_QUERIES):
        res = client.get("/agent/escalations/")
    # then every row shows its ticket, sender, teams, reason, summary and waiting time
    html = res.content.decode()
    assert html.count('id="esc-row-') == 13
    assert html.count('id="consult-row-') == 3
    for name in (
        "Tina",
        "Sender0",
        "Sender1",
        "the system",
        "Service Desk",
        "Network<br>",
        "Tier 2",
        "SLA breach",
    ):
        assert name in html
    for i in range(12):
        assert f"VPN {i}</span>" in html
    assert "Is firmware 7.2 known bad?" in html
    assert handoff["summary"][:50] in html
    assert "<time datetime=" in html
    # the handoff link is written out in the template; it must stay the url name's path
    esc = Escalation.objects.filter(status="pending").first()
    assert f'href="{reverse("escalation:handoffs", args=[esc.ticket_id])}"' in html
    assert f'id="esc-row-{esc.pk}"' in html


def test_queue_page_never_localizes_ids(tina, nick, vpn_ticket, handoff, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    settings.NUMBER_GROUPING = 3
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    Escalation.objects.filter(pk=esc.pk).update(id=12345)
    html = _client(nick).get("/agent/escalations/").content.decode()
    assert 'id="esc-row-12345"' in html


def test_supervisor_outside_every_team_sees_all_queues_in_the_same_queries(
    tina, sam, alice, network_category, network_team, handoff, django_assert_max_num_queries
):
    _fill_queue(
        senders=[tina], alice=alice, category=network_category, handoff=handoff, network_team=network_team
    )
    client = _client(sam)
    with django_assert_max_num_queries(QUEUE_PAGE_QUERIES + 1):  # + whether sam is in any team
        res = client.get("/agent/escalations/")
    html = res.content.decode()
    assert html.count('id="esc-row-') == 13
    assert html.count('id="consult-row-') == 3


def test_customer_gets_404_on_every_page_and_sees_only_the_public_update(
    alice, tina, nick, vpn_ticket, handoff, engineering
):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    consult = services.consult_create(
        ticket=vpn_ticket, by=nick, team=engineering, question="Any idea what this is?"
    )
    client = _client(alice)
    urls = [
        f"/agent/tickets/{vpn_ticket.pk}/escalate/",
        f"/agent/tickets/{vpn_ticket.pk}/de-escalate/",
        f"/agent/tickets/{vpn_ticket.pk}/consult/",
        f"/agent/tickets/{vpn_ticket.pk}/handoffs/",
        "/agent/escalations/",
        f"/agent/escalations/{esc.pk}/decline/",
        f"/agent/consults/{consult.pk}/answer/",
        f"/agent/consults/{consult.pk}/escalate/",
    ]
    assert [client.get(u).status_code for u in urls] == [404] * len(urls)
    assert client.post(f"/agent/escalations/{esc.pk}/accept/").status_code == 404
    # what the portal may show her: one public update, and none of the handoff
    visible = list(message_visible_qs(user=alice, ticket=vpn_ticket))
    assert [m.internal for m in visible] == [False]
    assert "specialist team" in visible[0].body
    for m in visible:
        for text in [*handoff.values(), "Any idea what this is?"]:
            assert text not in m.body


def test_anonymous_is_sent_to_login(vpn_ticket):
    res = Client().get("/agent/escalations/")
    assert res.status_code == 302
    assert res["Location"].startswith("/accounts/login/")


def test_panels_are_registered_and_hidden_from_customers(rf, tina, nick, alice, vpn_ticket, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    request = rf.get("/")
    request.user = nick
    slots = {
        slot: render_panels(agent_ticket_panels, request, vpn_ticket, slot) for slot in ("main", "actions")
    }
    # (other apps' panels share the slots: only escalation's own are looked at)
    ours = {
        slot: [(t, c) for t, c in panels if t.startswith("escalation/")] for slot, panels in slots.items()
    }
    assert [t for t, _ in ours["main"]] == ["escalation/_handoff_card.html"]
    assert ours["main"][0][1]["can_decide"] is True
    assert [t for t, _ in ours["actions"]] == ["escalation/_actions.html"]
    request.user = alice
    assert handoff_card_context(request, vpn_ticket) is None
    assert actions_context(request, vpn_ticket) is None
    assert {e.url_name for e in nav_entries} >= {
        "escalation:queue",
        "escalation:config_paths",
        "escalation:config_teams",
    }


def test_config_pages_are_for_supervisors_only(tina, nick, alice, sam):
    for user in (tina, nick, alice):
        client = _client(user)
        assert client.get("/agent/config/paths/").status_code == 403
        assert client.get("/agent/config/teams/").status_code == 403
        assert client.post("/agent/config/teams/", {}).status_code == 403
    assert _client(sam).get("/agent/config/paths/").status_code == 200
    assert _client(sam).get("/agent/config/teams/").status_code == 200


def test_supervisor_sets_paths_and_defaults(sam, network_category, service_desk, network_team, engineering):
    server = TeamFactory(name="Server", tier=2)
    printers = CategoryFactory(name="Printers")
    client = _client(sam)
    assert "Network" in client.get("/agent/config/paths/").content.decode()
    res = client.post(
        "/agent/config/paths/",
        {
            "default-1": service_desk.pk,
            "default-2": server.pk,
            "default-3": engineering.pk,
            f"path-{network_category.pk}-1": service_desk.pk,
            f"path-{network_category.pk}-2": server.pk,
            f"path-{network_category.pk}-3": "",
            f"path-{printers.pk}-2": network_team.pk,
        },
    )
    assert res.status_code == 302
    assert EscalationPath.objects.get(category=network_category, tier=2).team == server
    assert not EscalationPath.objects.filter(category=network_category, tier=3).exists()
    assert EscalationPath.objects.get(category=printers, tier=2).team == network_team
    assert Team.objects.get(tier=2, is_default_for_tier=True) == server


def test_supervisor_sets_team_routing(sam, nick, network_team):
    client = _client(sam)
    html = client.get("/agent/config/teams/").content.decode()
    assert "Network" in html
    assert "Nick" in html
    res = client.post(
        "/agent/config/teams/", {"team": network_team.pk, "routing": "round_robin", "max_open_per_agent": 7}
    )
    assert res.status_code == 302
    network_team.refresh_from_db()
    assert (network_team.routing, network_team.max_open_per_agent) == ("round_robin", 7)


def test_escalate_page_explains_why_a_tier_3_ticket_cannot_go_up(tina, nick, erin, vpn_ticket, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff, to_tier=3)
    html = _client(erin).get(f"/agent/tickets/{vpn_ticket.pk}/escalate/").content.decode()
    assert 'id="escalate-blocked"' in html
    assert "already at tier 3" in html
    assert 'id="escalate-form"' not in html


def test_pages_speak_german_to_a_german_agent(tina, vpn_ticket):
    tina.language = "de"
    tina.save()
    html = _client(tina).get(f"/agent/tickets/{vpn_ticket.pk}/escalate/").content.decode()
    assert "Bereits unternommene Schritte" in html
    assert "Fachwissen nötig" in html
    res = _client(tina).post(
        f"/agent/tickets/{vpn_ticket.pk}/escalate/", {"from_tier": 1, "to_tier": 2, "reason": "other"}
    )
    assert "Pflichtfeld" in res.content.decode()


@pytest.mark.parametrize("language", ["en", "de"])
def test_reason_label_reads_like_get_reason_display(language):
    from django.utils import translation

    with translation.override(language):
        for reason in [*Escalation.Reason.values, "retired_reason"]:
            esc = Escalation(reason=reason)
            assert esc.reason_label == esc.get_reason_display()


def test_the_paths_page_shows_what_a_sub_category_inherits(sam, network_category, network_team, service_desk):
    from tests.factories import CategoryFactory as Cat

    wlan = Cat(name="WLAN", name_de="WLAN (Funk)", parent=network_category)
    printers = Cat(name="Printers")
    html = _client(sam).get("/agent/config/paths/").content.decode()

    def empty_choice(cat, tier: int) -> str:  # noqa: ANN001
        start = html.index(f'name="path-{cat.pk}-{tier}"')
        return (
            html[html.index('<option value="">', start) :]
            .split("</option>")[0]
            .removeprefix('<option value="">')
        )

    # as tickets.services.route_team routes them: the parent's path, else the tier's default team
    assert empty_choice(wlan, 2) == "Network (from Network)"
    assert core.route_team(category=wlan, tier=2) == network_team
    assert empty_choice(printers, 1) == "Service Desk (default)"
    assert core.route_team(category=printers, tier=1) == service_desk
    assert empty_choice(wlan, 1) == "Service Desk (from Network)"  # not "(default)"
    assert 'aria-label="WLAN, tier 2"' in html
    sam.language = "de"
    sam.save()
    html = _client(sam).get("/agent/config/paths/").content.decode()
    assert empty_choice(wlan, 2) == "Network (von Network)"
    assert empty_choice(printers, 1) == "Service Desk (Standard)"
    assert ">WLAN (Funk)</strong>" in html


def test_a_priority_looks_the_same_on_every_agent_page(tina, nick, sam, vpn_ticket, handoff):
    core.ticket_update(ticket=vpn_ticket, by=tina, priority="P2")
    services.ticket_escalate(ticket=vpn_ticket, by=tina, to_tier=2, **handoff)
    pages = {
        "queue": _client(sam).get("/agent/?tab=open"),
        "ticket": _client(nick).get(f"/agent/tickets/{vpn_ticket.pk}/"),
        "escalations": _client(nick).get("/agent/escalations/"),
    }
    for name, response in pages.items():
        html = response.content.decode()
        badges = re.findall(r'<span class="([^"]*)"[^>]*>(?:P2|P2 high)</span>', html)
        assert badges, name
        assert set(badges) == {"badge badge-P2"}, (name, badges)
