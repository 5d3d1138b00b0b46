from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Team, User
from escalation import selectors, services
from escalation.models import Consult, Escalation
from helpdesk.errors import ApplicationError, ConflictError
from tests.factories import TeamFactory, UserFactory
from tickets import services as core
from tickets.models import Message, TicketEvent
from tickets.selectors import message_visible_qs

pytestmark = pytest.mark.django_db


# --- escalate ---------------------------------------------------------------------------------------


def test_escalate_moves_tier_and_team_clears_assignee_and_records_everything(
    vpn_ticket, tina, network_team, handoff
):
    # given a ticket assigned to tina at tier 1
    core.ticket_update(ticket=vpn_ticket, by=tina, assignee=tina)
    version_before = vpn_ticket.__class__.objects.get(pk=vpn_ticket.pk).version
    # when
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff, articles_tried=[3, 1, 3])
    # then
    t = esc.ticket
    t.refresh_from_db()
    assert (t.tier, t.team, t.assignee, t.escalation_count) == (2, network_team, None, 1)
    assert t.version > version_before
    assert (esc.from_tier, esc.to_tier, esc.to_team, esc.status) == (1, 2, network_team, "pending")
    assert esc.articles_tried == [1, 3]
    assert esc.created_by == tina
    event = t.events.get(kind=TicketEvent.Kind.ESCALATED)
    assert (event.field, event.old_value, event.new_value, event.actor) == ("tier", "1", "2", tina)
    assert event.data["escalation"] == esc.pk
    assert event.data["team"] == network_team.pk


def test_escalate_tells_the_customer_without_counting_as_agent_response(vpn_ticket, tina, handoff, alice):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    vpn_ticket.refresh_from_db()
    visible = list(message_visible_qs(user=alice, ticket=vpn_ticket))
    assert len(visible) == 1
    assert "specialist team" in visible[0].body
    assert vpn_ticket.reference in visible[0].body
    assert (visible[0].author, visible[0].by_agent, visible[0].internal) == (None, False, False)
    # no handoff text reaches the customer
    for text in handoff.values():
        assert text not in visible[0].body
    assert vpn_ticket.first_response_at is None
    assert vpn_ticket.public_reply_count == 0
    assert vpn_ticket.customer_followup_count == 0


def test_customer_update_is_in_german_for_a_german_ticket(network_category, tina, handoff):
    hans = UserFactory(username="hans", language="de")
    ticket = core.ticket_create(
        requester=hans, by=hans, subject="VPN", description="d", category=network_category
    )
    services.ticket_escalate(ticket=ticket, by=tina, **handoff)
    body = Message.objects.get(ticket=ticket, internal=False).body
    assert "Ihre Anfrage" in body
    assert "Sie" in body
    assert ticket.reference in body


def test_system_escalation_has_no_actor(vpn_ticket, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=None, **{**handoff, "reason": "sla_breach"})
    assert esc.created_by is None
    assert vpn_ticket.events.get(kind="escalated").actor is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("summary", ""),
        ("summary", "VPN broken"),
        ("steps_taken", "   "),
        ("steps_taken", "restartedrestartedrestarted"),
    ],
)
def test_incomplete_handoff_is_refused_with_the_field_named(vpn_ticket, tina, handoff, field, value):
    with pytest.raises(services.HandoffIncomplete) as exc:
        services.ticket_escalate(ticket=vpn_ticket, by=tina, **{**handoff, field: value})
    assert list(exc.value.errors) == [field]
    vpn_ticket.refresh_from_db()
    assert (vpn_ticket.tier, vpn_ticket.escalation_count) == (1, 0)
    assert not Escalation.objects.exists()


def test_an_incomplete_handoff_is_an_application_error_naming_every_field(vpn_ticket, handoff):
    # the SLA app's auto-escalation catches ApplicationError; the API maps it to 400 with all fields
    with pytest.raises(ApplicationError) as exc:
        services.ticket_escalate(ticket=vpn_ticket, by=None, **{**handoff, "summary": "", "steps_taken": "x"})
    assert exc.value.status_code == 400
    assert set(exc.value.as_dict()) == {"summary", "steps_taken"}


def test_unknown_reason_is_a_field_error(vpn_ticket, tina, handoff):
    with pytest.raises(services.HandoffIncomplete) as exc:
        services.ticket_escalate(ticket=vpn_ticket, by=tina, **{**handoff, "reason": "bored"})
    assert "reason" in exc.value.errors


def test_never_above_tier_3(vpn_ticket, tina, nick, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    services.ticket_escalate(ticket=vpn_ticket, by=nick, **handoff)
    vpn_ticket.refresh_from_db()
    assert vpn_ticket.tier == 3
    with pytest.raises(ApplicationError) as exc:
        services.ticket_escalate(ticket=vpn_ticket, by=nick, **handoff)
    assert exc.value.status_code == 400


@pytest.mark.parametrize("finish", ["resolve", "close"])
def test_resolved_or_closed_ticket_cannot_be_escalated(vpn_ticket, tina, handoff, finish):
    if finish == "resolve":
        core.ticket_resolve(ticket=vpn_ticket, by=tina, resolution="Fixed the thing for good")
    else:
        core.ticket_close(ticket=vpn_ticket, by=tina)
    with pytest.raises(ApplicationError) as exc:
        services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    assert exc.value.status_code == 400
    assert not isinstance(exc.value, ConflictError)


def test_stale_from_tier_is_a_conflict(vpn_ticket, tina, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff, from_tier=1)
    with pytest.raises(ConflictError):
        services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff, from_tier=1)
    assert Escalation.objects.count() == 1
    assert vpn_ticket.events.filter(kind="escalated").count() == 1


def test_agent_may_pick_another_team_of_the_target_tier(vpn_ticket, tina, handoff):
    server = TeamFactory(name="Server", tier=2)
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff, team=server)
    assert esc.to_team == server


def test_team_of_another_tier_is_refused(vpn_ticket, tina, handoff, engineering):
    with pytest.raises(ApplicationError) as exc:
        services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff, team=engineering)
    assert exc.value.field == "team"


def test_escalate_straight_to_tier_3(vpn_ticket, tina, handoff, engineering):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff, to_tier=3)
    assert (esc.to_tier, esc.to_team) == (3, engineering)


def test_without_a_category_the_default_team_of_the_tier_takes_it(
    alice, tina, network_team, handoff, service_desk
):
    ticket = core.ticket_create(requester=alice, by=alice, subject="s", description="d")
    esc = services.ticket_escalate(ticket=ticket, by=tina, **handoff)
    assert esc.to_team == network_team


# --- accept / decline -------------------------------------------------------------------------------


def test_accept_assigns_to_the_accepting_agent_and_records_time(vpn_ticket, tina, nick, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    esc = services.escalation_accept(escalation=esc, by=nick)
    vpn_ticket.refresh_from_db()
    assert vpn_ticket.assignee == nick
    assert (esc.status, esc.accepted_by) == ("accepted", nick)
    assert esc.time_to_accept is not None
    assert vpn_ticket.events.filter(kind="escalation_accepted", actor=nick).exists()
    with pytest.raises(ConflictError):
        services.escalation_accept(escalation=esc, by=nick)


def test_only_the_receiving_team_accepts(vpn_ticket, tina, erin, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    with pytest.raises(PermissionDenied):
        services.escalation_accept(escalation=esc, by=erin)
    with pytest.raises(PermissionDenied):
        services.escalation_decline(escalation=esc, by=tina, reason="Not mine to decline")


def test_decline_sends_it_back_with_the_reason_and_counts_it(vpn_ticket, tina, nick, handoff, service_desk):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    esc = services.escalation_decline(
        escalation=esc, by=nick, reason="Missing diagnostics: add the event log"
    )
    vpn_ticket.refresh_from_db()
    assert (vpn_ticket.tier, vpn_ticket.team, vpn_ticket.assignee) == (1, service_desk, tina)
    assert (esc.status, esc.declined_by, esc.decline_reason) == (
        "declined",
        nick,
        "Missing diagnostics: add the event log",
    )
    event = vpn_ticket.events.get(kind="escalation_declined")
    assert (event.field, event.old_value, event.new_value) == ("tier", "2", "1")
    note = vpn_ticket.messages.get(internal=True)
    assert "add the event log" in note.body
    assert Escalation.objects.filter(ticket=vpn_ticket, status="declined").count() == 1
    with pytest.raises(ConflictError):
        services.escalation_accept(escalation=esc, by=nick)


def test_decline_needs_a_reason(vpn_ticket, tina, nick, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    with pytest.raises(ApplicationError) as exc:
        services.escalation_decline(escalation=esc, by=nick, reason="  ")
    assert exc.value.field == "reason"


def test_escalating_again_supersedes_the_pending_one(vpn_ticket, tina, nick, handoff):
    first = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    services.ticket_escalate(ticket=vpn_ticket, by=nick, **handoff)
    first.refresh_from_db()
    assert first.status == "superseded"
    with pytest.raises(ConflictError):
        services.escalation_accept(escalation=first, by=nick)


def test_resolving_clears_pending_escalations_from_the_queue(vpn_ticket, tina, nick, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    core.ticket_resolve(ticket=vpn_ticket, by=nick, resolution="Router firmware rolled back")
    esc.refresh_from_db()
    assert esc.status == "superseded"
    assert selectors.escalation_queue(user=nick) == []


# --- de-escalate -------------------------------------------------------------------------------------


def test_deescalate_returns_to_the_sender_with_instructions(vpn_ticket, tina, nick, handoff, service_desk):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    services.escalation_accept(escalation=esc, by=nick)
    de = services.ticket_deescalate(
        ticket=vpn_ticket,
        by=nick,
        to_tier=1,
        instructions="Solution found: guide the customer through steps 1-3",
    )
    vpn_ticket.refresh_from_db()
    assert (vpn_ticket.tier, vpn_ticket.team, vpn_ticket.assignee) == (1, service_desk, tina)
    assert vpn_ticket.deescalation_count == 1
    assert de.instructions.startswith("Solution found")
    event = vpn_ticket.events.get(kind="deescalated")
    assert (event.field, event.old_value, event.new_value, event.actor) == ("tier", "2", "1", nick)
    assert vpn_ticket.messages.filter(internal=True, body__contains="steps 1-3").exists()


@pytest.mark.parametrize("instructions", ["", "do it"])
def test_deescalate_needs_instructions(vpn_ticket, tina, nick, handoff, instructions):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    with pytest.raises(services.HandoffIncomplete) as exc:
        services.ticket_deescalate(ticket=vpn_ticket, by=nick, instructions=instructions)
    assert list(exc.value.errors) == ["instructions"]


def test_only_the_holding_team_deescalates(vpn_ticket, tina, erin, sam, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    for outsider in (tina, erin):
        with pytest.raises(PermissionDenied):
            services.ticket_deescalate(
                ticket=vpn_ticket, by=outsider, instructions="Please take it back, thanks"
            )
    services.ticket_deescalate(ticket=vpn_ticket, by=sam, instructions="Supervisor: back to the service desk")
    vpn_ticket.refresh_from_db()
    assert vpn_ticket.tier == 1


def test_deescalate_only_downwards(vpn_ticket, tina):
    with pytest.raises(ApplicationError) as exc:
        services.ticket_deescalate(
            ticket=vpn_ticket, by=tina, instructions="Please handle this one yourselves"
        )
    assert exc.value.field == "to_tier"


# --- consults ----------------------------------------------------------------------------------------


def test_consult_answer_lands_as_internal_note_and_turns_into_escalation(
    vpn_ticket, tina, nick, network_team, alice
):
    consult = services.consult_create(
        ticket=vpn_ticket,
        by=tina,
        team=network_team,
        question="Is the VPN concentrator known to drop IKE SAs?",
    )
    assert selectors.consult_queue(user=nick) == [consult]
    vpn_ticket.refresh_from_db()
    assert (vpn_ticket.tier, vpn_ticket.team.tier) == (1, 1)  # the asker keeps the ticket

    consult = services.consult_answer(
        consult=consult, by=nick, answer="Yes, firmware 7.1 bug; needs our hands."
    )
    note = vpn_ticket.messages.get(internal=True)
    assert "firmware 7.1 bug" in note.body
    assert not message_visible_qs(user=alice, ticket=vpn_ticket).filter(body__contains="firmware").exists()
    assert selectors.consult_queue(user=nick) == []

    esc = services.consult_escalate(consult=consult, by=tina)
    assert esc.to_team == network_team
    assert "IKE SAs" in esc.summary
    assert "firmware 7.1 bug" in esc.summary
    consult.refresh_from_db()
    assert consult.escalation == esc
    with pytest.raises(ConflictError):
        services.consult_escalate(consult=consult, by=tina)


def test_consult_rules(vpn_ticket, tina, nick, network_team, service_desk, erin):
    with pytest.raises(ApplicationError) as exc:
        services.consult_create(ticket=vpn_ticket, by=tina, team=network_team, question=" ")
    assert exc.value.field == "question"
    with pytest.raises(ApplicationError) as exc:
        services.consult_create(ticket=vpn_ticket, by=tina, team=service_desk, question="Anyone?")
    assert exc.value.field == "team"
    consult = services.consult_create(ticket=vpn_ticket, by=tina, team=network_team, question="Anyone?")
    with pytest.raises(PermissionDenied):
        services.consult_answer(consult=consult, by=erin, answer="Not my team")
    services.consult_answer(consult=consult, by=nick, answer="Yes")
    with pytest.raises(ConflictError):
        services.consult_answer(consult=consult, by=nick, answer="Again")
    assert Consult.objects.get().status == "answered"


# --- routing inside a team ---------------------------------------------------------------------------


def _agents(team: Team, n: int) -> list[User]:
    return [
        UserFactory(username=f"{team.name.lower()}{i}", role=User.Role.AGENT, teams=[team]) for i in range(n)
    ]


def test_round_robin_spreads_ten_escalations_evenly(network_category, tina, network_team, handoff, alice):
    # given a round-robin team of two available agents (and one away)
    network_team.routing = Team.Routing.ROUND_ROBIN
    network_team.save()
    a, b, away = _agents(network_team, 3)
    away.available = False
    away.save()
    # when ten tickets are escalated to it
    for i in range(10):
        t = core.ticket_create(
            requester=alice, by=alice, subject=f"t{i}", description="d", category=network_category
        )
        services.ticket_escalate(ticket=t, by=tina, **handoff)
    # then
    assert a.assigned_tickets.count() == 5
    assert b.assigned_tickets.count() == 5
    assert away.assigned_tickets.count() == 0


def test_round_robin_respects_the_load_cap(network_category, tina, network_team, handoff, alice):
    network_team.routing = Team.Routing.ROUND_ROBIN
    network_team.max_open_per_agent = 3
    network_team.save()
    a, b = _agents(network_team, 2)
    tickets = []
    for i in range(10):
        t = core.ticket_create(
            requester=alice, by=alice, subject=f"t{i}", description="d", category=network_category
        )
        tickets.append(services.ticket_escalate(ticket=t, by=tina, **handoff).ticket)
    assert (a.assigned_tickets.count(), b.assigned_tickets.count()) == (3, 3)
    assert sum(1 for t in tickets if t.assignee_id is None) == 4
    # a resolved ticket frees a slot
    core.ticket_resolve(ticket=tickets[0], by=tina, resolution="Done and dusted here")
    t = core.ticket_create(requester=alice, by=alice, subject="x", description="d", category=network_category)
    assert services.ticket_escalate(ticket=t, by=tina, **handoff).ticket.assignee is not None


def test_least_loaded_picks_the_agent_with_fewest_open_tickets(
    network_category, tina, network_team, handoff, alice
):
    network_team.routing = Team.Routing.LEAST_LOADED
    network_team.save()
    a, b = _agents(network_team, 2)
    for i in range(2):
        t = core.ticket_create(requester=alice, by=alice, subject=f"a{i}", description="d")
        core.ticket_update(ticket=t, by=tina, assignee=a)
    t = core.ticket_create(requester=alice, by=alice, subject="x", description="d", category=network_category)
    assert services.ticket_escalate(ticket=t, by=tina, **handoff).ticket.assignee == b


def test_picking_counts_load_in_one_query(network_team, django_assert_num_queries):
    network_team.routing = Team.Routing.LEAST_LOADED
    network_team.save()
    _agents(network_team, 5)
    # the team's lock, then one aggregate over all candidates (no query per agent)
    with django_assert_num_queries(2):
        services.team_pick_agent(team=network_team)


def test_new_tickets_are_routed_by_the_team_setting(alice, service_desk):
    service_desk.routing = Team.Routing.ROUND_ROBIN
    service_desk.save()
    a, b = _agents(service_desk, 2)
    first = core.ticket_create(requester=alice, by=alice, subject="1", description="d")
    second = core.ticket_create(requester=alice, by=alice, subject="2", description="d")
    assert {first.assignee, second.assignee} == {a, b}
    assert first.status == "new"
    assert first.events.filter(kind="assignee", actor=None).exists()


def test_manual_routing_assigns_nobody(vpn_ticket, tina, nick, handoff):
    esc = services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    assert esc.ticket.assignee is None


# --- knowledge flows back ----------------------------------------------------------------------------


def test_handoffs_and_resolution_are_reachable_for_an_article_draft(vpn_ticket, tina, nick, handoff):
    services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
    core.ticket_resolve(ticket=vpn_ticket, by=nick, resolution="Rolled back router firmware to 7.0")
    vpn_ticket.refresh_from_db()
    assert [h.summary for h in selectors.handoffs_for(vpn_ticket)] == [handoff["summary"]]
    draft = selectors.article_draft_for(vpn_ticket)
    assert draft["resolution"] == "Rolled back router firmware to 7.0"
    assert draft["steps_taken"] == handoff["steps_taken"]


def test_escalate_makes_a_bounded_number_of_queries(vpn_ticket, tina, handoff, django_assert_max_num_queries):
    # Escalation's own work is 12 statements (lock, route, supersede, insert, update, version, events,
    # message, savepoints); the receivers of the sla, notifications and webhooks apps add theirs in the
    # same transaction (due times, outbox rows for the team's members and the customer; the ticket's
    # followers, one query per event they would hear about).
    with django_assert_max_num_queries(26):
        services.ticket_escalate(ticket=vpn_ticket, by=tina, **handoff)
