"""The SLA clock of a ticket, driven by the ticket services' events, with time travel."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from sla import selectors, services
from sla.models import SlaPolicy, TicketSla
from tests.factories import CategoryFactory
from tickets import services as ts
from tickets.events import event_record
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def create(requester, **kw) -> Ticket:  # noqa: ANN001
    return ts.ticket_create(requester=requester, by=requester, subject="VPN drops", description="d", **kw)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("sla").get(pk=ticket.pk)


@transaction.atomic
def move_tier(ticket: Ticket, tier: int, by, team=None) -> Ticket:  # noqa: ANN001
    """What the escalation service does to the core: change the tier, record the event."""
    t = ts.ticket_lock(pk=ticket.pk)
    old = t.tier
    t.tier, t.team = tier, team
    t.save(update_fields=["tier", "team"])
    kind = TicketEvent.Kind.ESCALATED if tier > old else TicketEvent.Kind.DEESCALATED
    event_record(
        ticket=t,
        kind=kind,
        actor=by,
        field="tier",
        old=old,
        new=tier,
        data={"team": getattr(team, "pk", None)},
    )
    return t


def test_creation_sets_due_times_in_business_hours_without_bumping_the_version(alice, default_policy):
    # given a P3 request on Friday 15:00 (targets 240 / 1440 business minutes, Mon–Fri 08–17)
    with time_machine.travel(berlin(2026, 11, 20, 15, 0), tick=False):
        # when
        ticket = create(alice)
    # then
    ticket = fresh(ticket)
    assert ticket.first_response_due == berlin(2026, 11, 23, 10, 0)
    assert ticket.resolution_due == berlin(2026, 11, 25, 12, 0)
    assert ticket.sla_state == "ok"
    assert ticket.version == 1
    assert ticket.sla.policy == default_policy


def test_without_any_policy_there_are_no_due_times(alice):
    ticket = fresh(create(alice))
    assert (ticket.first_response_due, ticket.resolution_due, ticket.sla_state) == (None, None, "ok")


def test_pending_pauses_the_clock_and_resume_moves_the_due_times(alice, tina, default_policy):
    # given a P3 ticket opened Tuesday 09:00, answered at 09:30
    with time_machine.travel(berlin(2026, 11, 17, 9, 0), tick=False) as clock:
        ticket = create(alice)
        assert fresh(ticket).resolution_due == berlin(2026, 11, 19, 15, 0)
        clock.move_to(berlin(2026, 11, 17, 9, 30))
        ts.message_add(ticket=ticket, author=tina, body="Which client version?")
        # when it waits for the customer from 10:00 …
        clock.move_to(berlin(2026, 11, 17, 10, 0))
        ts.ticket_update(ticket=ticket, by=tina, status="pending")
        paused = fresh(ticket)
        # … until the customer answers on Wednesday 10:00
        clock.move_to(berlin(2026, 11, 18, 10, 0))
        ts.message_add(ticket=ticket, author=alice, body="Version 5.1")
    # then the clock stood still while pending …
    assert paused.sla_state == "paused"
    assert paused.sla_paused_at == berlin(2026, 11, 17, 10, 0)
    # … and the due time moved by the 9 paused business hours (Tue 10–17, Wed 08–10)
    ticket = fresh(ticket)
    assert ticket.sla.paused_seconds == 9 * 3600
    assert ticket.resolution_due == berlin(2026, 11, 20, 15, 0)
    assert (ticket.sla_state, ticket.sla_paused_at) == ("ok", None)
    # the first response was met before the pause and keeps its due time
    assert ticket.sla.first_response_met is True
    assert ticket.first_response_due == berlin(2026, 11, 17, 13, 0)


def test_a_priority_change_recomputes_from_creation_and_keeps_paused_time(alice, tina, default_policy):
    with time_machine.travel(berlin(2026, 11, 17, 9, 0), tick=False) as clock:
        ticket = create(alice)
        clock.move_to(berlin(2026, 11, 17, 10, 0))
        ts.ticket_update(ticket=ticket, by=tina, status="pending")
        clock.move_to(berlin(2026, 11, 18, 10, 0))
        ts.ticket_update(ticket=ticket, by=tina, status="open")
        # when the agent raises it to P1 (240 min resolution)
        ts.ticket_update(ticket=ticket, by=tina, priority="P1")
    # then created + 240 + 540 paused business minutes = Tue 09:00 + 13 h = Wed 13:00
    ticket = fresh(ticket)
    assert ticket.resolution_due == berlin(2026, 11, 18, 13, 0)
    assert ticket.first_response_due == berlin(2026, 11, 18, 9, 30)  # 30 + 540 minutes
    assert ticket.version > 1


def test_a_policy_change_keeps_the_paused_time(alice, tina, default_policy, make_policy, always_open):
    # given a category served 24/7 with 60-minute targets
    vpn = CategoryFactory(name="VPN")
    make_policy("VPN 24/7", minutes=60, calendar=always_open, category=vpn)
    with time_machine.travel(berlin(2026, 11, 17, 9, 0), tick=False) as clock:
        ticket = create(alice)
        clock.move_to(berlin(2026, 11, 17, 10, 0))
        ts.ticket_update(ticket=ticket, by=tina, status="pending")
        clock.move_to(berlin(2026, 11, 18, 10, 0))
        ts.ticket_update(ticket=ticket, by=tina, status="open")
        # when the agent moves it to the VPN category
        ts.ticket_update(ticket=ticket, by=tina, category=vpn)
    # then the new policy applies from creation, and the 540 paused minutes still count
    ticket = fresh(ticket)
    assert ticket.sla.policy.name == "VPN 24/7"
    assert ticket.sla.paused_seconds == 540 * 60
    assert ticket.resolution_due == berlin(2026, 11, 17, 19, 0)


def test_a_late_first_response_is_recorded_as_missed(alice, tina, default_policy):
    with time_machine.travel(berlin(2026, 11, 17, 9, 0), tick=False) as clock:
        ticket = create(alice, impact="high", urgency="high")  # P1: 30 minutes
        clock.move_to(berlin(2026, 11, 17, 9, 45))
        ts.message_add(ticket=ticket, author=tina, body="Looking into it")
    ticket = fresh(ticket)
    assert ticket.sla.first_response_met is False
    assert ticket.sla_state == "breached"


def test_an_internal_note_is_not_a_first_response(alice, tina, default_policy):
    ticket = create(alice)
    ts.message_add(ticket=ticket, author=tina, body="checking logs", internal=True)
    assert fresh(ticket).sla.first_response_met is None


def test_resolution_is_recorded_and_a_reopen_does_not_count_the_solved_time(alice, tina, default_policy):
    with time_machine.travel(berlin(2026, 11, 17, 9, 0), tick=False) as clock:
        ticket = create(alice)
        clock.move_to(berlin(2026, 11, 17, 11, 0))
        ts.ticket_resolve(ticket=ticket, by=tina, resolution="Restarted the VPN gateway")
        resolved = fresh(ticket)
        # when the customer reopens it the next morning
        clock.move_to(berlin(2026, 11, 18, 9, 0))
        ts.message_add(ticket=ticket, author=alice, body="It happens again")
    # then
    assert resolved.sla.resolution_met is True
    assert resolved.sla.first_response_met is True  # solving answers it
    ticket = fresh(ticket)
    assert ticket.sla.resolution_met is None
    assert ticket.sla.paused_seconds == 7 * 3600  # Tue 11–17 and Wed 08–09
    assert ticket.resolution_due == berlin(2026, 11, 20, 13, 0)  # Thu 15:00 + 7 business hours


def test_each_tier_is_charged_the_time_it_used(alice, tina, nick, network_team, default_policy):
    # given Tue 09:00 P3 (1440 min resolution; shares 30/50/20 → 432/720/288 min)
    with time_machine.travel(berlin(2026, 11, 17, 9, 0), tick=False) as clock:
        ticket = create(alice)
        # when tier 1 keeps it for a business day (540 min) before escalating
        clock.move_to(berlin(2026, 11, 18, 9, 0))
        move_tier(ticket, 2, tina, team=network_team)
        # and tier 2 works two hours, half of it waiting for the customer
        clock.move_to(berlin(2026, 11, 18, 10, 0))
        ts.ticket_update(ticket=ticket, by=nick, status="pending")
        clock.move_to(berlin(2026, 11, 18, 11, 0))
        ts.ticket_update(ticket=ticket, by=nick, status="open")
        clock.move_to(berlin(2026, 11, 18, 12, 0))
        explanation = selectors.ticket_sla_explain(ticket=fresh(ticket))
        sla = fresh(ticket).sla
        used = services.tier_usage(sla)
        charged = services.charged_tier(sla, fresh(ticket))
    # then
    assert used == {1: 540 * 60, 2: 120 * 60, 3: 0}
    assert sla.tier1_seconds == 540 * 60
    assert charged == 1  # tier 1 overran its 432-minute share; tier 2 did not
    tiers = {t.tier: (t.share, t.budget_minutes, t.used_minutes, t.over) for t in explanation.tiers}
    assert tiers == {1: (30, 432, 540, True), 2: (50, 720, 120, False), 3: (20, 288, 0, False)}


def test_de_escalation_charges_tier_2_then_tier_1_again(
    alice, tina, nick, network_team, service_desk, default_policy
):
    with time_machine.travel(berlin(2026, 11, 17, 9, 0), tick=False) as clock:
        ticket = create(alice)
        clock.move_to(berlin(2026, 11, 17, 10, 0))
        move_tier(ticket, 2, tina, team=network_team)
        clock.move_to(berlin(2026, 11, 17, 13, 0))
        move_tier(ticket, 1, nick, team=service_desk)
        clock.move_to(berlin(2026, 11, 17, 14, 0))
        used = services.tier_usage(fresh(ticket).sla)
    assert used == {1: 120 * 60, 2: 180 * 60, 3: 0}


def test_the_explanation_names_policy_calendar_holidays_and_pauses(alice, tina, default_policy):
    # given a ticket before German Unity Day (Sat 3 Oct 2026 is a weekend; use Christmas instead)
    with time_machine.travel(berlin(2026, 12, 24, 16, 0), tick=False) as clock:
        ticket = create(alice)
        ts.ticket_update(ticket=ticket, by=tina, status="pending")
        clock.move_to(berlin(2026, 12, 24, 16, 30))
        ts.ticket_update(ticket=ticket, by=tina, status="open")
        explanation = selectors.ticket_sla_explain(ticket=fresh(ticket))
    fr, met, warned, breached = explanation.targets[0]
    assert (explanation.policy, explanation.calendar) == ("Standard", "Business hours (Berlin)")
    assert fr.due == fresh(ticket).first_response_due == berlin(2026, 12, 28, 11, 30)
    assert [d.day for d, _name in fr.holidays_skipped] == [25]
    assert fr.paused_minutes == 30
    assert len(fr.pauses) == 1


def test_the_most_specific_policy_wins(alice, bob, make_policy, default_policy):
    # given policies for a category, its parent, and alice herself within the category
    parent = CategoryFactory(name="IT")
    child = CategoryFactory(name="Printers", parent=parent)
    make_policy("IT", category=parent)
    make_policy("Printers", category=child)
    make_policy("Alice", customer=alice)
    make_policy("Alice printers", customer=alice, category=child)
    # then
    assert services.policy_for(ticket=Ticket(requester=bob, category=child)).name == "Printers"
    assert services.policy_for(ticket=Ticket(requester=bob, category=parent)).name == "IT"
    assert services.policy_for(ticket=Ticket(requester=alice, category=parent)).name == "Alice"
    assert services.policy_for(ticket=Ticket(requester=alice, category=child)).name == "Alice printers"
    assert services.policy_for(ticket=Ticket(requester=bob)) == default_policy


def test_the_default_warning_threshold_comes_from_settings(settings, office_calendar):
    settings.SLA_WARNING_PERCENT = 70
    assert SlaPolicy(name="x", calendar=office_calendar).warning_percent == 70


def test_ticket_sla_rows_exist_for_every_new_ticket(alice, default_policy):
    create(alice)
    create(alice)
    assert TicketSla.objects.count() == 2


def test_a_changed_policy_is_reapplied_to_open_tickets(alice, tina, sam, api_as, default_policy):
    # given an open and a solved ticket on the default policy (P3: 240 min first response)
    with time_machine.travel(berlin(2026, 11, 17, 9, 0), tick=False):
        open_ticket = create(alice)
        solved = create(alice)
        ts.ticket_resolve(ticket=solved, by=tina, resolution="done")
    solved_due = fresh(solved).resolution_due
    # when a supervisor shortens P3 first response to 60 minutes, the worker gets the job …
    with time_machine.travel(berlin(2026, 11, 17, 9, 30), tick=False):
        response = api_as(sam).patch(
            f"/api/v1/sla-policies/{default_policy.pk}/",
            {"targets": {"P3": {"first_response": 60}}},
            format="json",
        )
        assert response.status_code == 200
        # … and does it (the task calls this service, batch by batch)
        assert services.sla_policy_reapply(policy_id=default_policy.pk, batch_size=1) == open_ticket.pk
        assert services.sla_policy_reapply(policy_id=default_policy.pk, after_ticket_id=open_ticket.pk) == 0
    # then the open ticket follows the new target; the solved one keeps its history
    assert fresh(open_ticket).first_response_due == berlin(2026, 11, 17, 10, 0)
    assert fresh(solved).resolution_due == solved_due


def test_changing_a_policy_enqueues_the_reapply_after_commit(
    sam, api_as, default_policy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api_as(sam).patch(f"/api/v1/sla-policies/{default_policy.pk}/", {"name": "Std"}, format="json")
    assert len(callbacks) == 1


def test_business_seconds_to_first_response_and_resolution_skip_holidays_weekend_and_pauses(
    alice, tina, default_policy
):
    # given a request on Maundy Thursday 2026-04-02 16:00 (Mon–Fri 08–17; Good Friday, the weekend and
    # Easter Monday are not business time)
    with time_machine.travel(berlin(2026, 4, 2, 16, 0), tick=False) as clock:
        ticket = create(alice)
        # when the first response comes on Tuesday 09:00: Thu 16–17 + Tue 08–09 = 2 h
        clock.move_to(berlin(2026, 4, 7, 9, 0))
        ts.message_add(ticket=ticket, author=tina, body="Which printer?")
        # it waits for the customer Tue 10:00 → Wed 10:00 (9 business hours paused) …
        clock.move_to(berlin(2026, 4, 7, 10, 0))
        ts.ticket_update(ticket=ticket, by=tina, status="pending")
        clock.move_to(berlin(2026, 4, 8, 10, 0))
        ts.ticket_update(ticket=ticket, by=tina, status="open")
        # … and is resolved Wed 12:00: Thu 1 h + Tue 08–10 2 h + Wed 10–12 2 h = 5 h
        clock.move_to(berlin(2026, 4, 8, 12, 0))
        ts.ticket_resolve(ticket=ticket, by=tina, resolution="Driver reinstalled")
        first = fresh(ticket).sla
        # the customer reopens it on Thursday 09:00 and it is solved again at 11:00
        clock.move_to(berlin(2026, 4, 9, 9, 0))
        ts.message_add(ticket=ticket, author=alice, body="Broken again")
        reopened = fresh(ticket).sla
        clock.move_to(berlin(2026, 4, 9, 11, 0))
        ts.ticket_resolve(ticket=ticket, by=tina, resolution="Replaced the cable")
    # then
    assert first.first_response_business_seconds == 2 * 3600
    assert first.resolution_business_seconds == 5 * 3600
    assert reopened.resolution_business_seconds is None
    sla = fresh(ticket).sla
    # the first response is recorded once; the new total adds Thu 09–11, not the time it stood solved
    assert sla.first_response_business_seconds == 2 * 3600
    assert sla.resolution_business_seconds == 7 * 3600


def test_without_a_policy_there_is_no_business_time(alice, tina):
    ticket = create(alice)
    ts.message_add(ticket=ticket, author=tina, body="On it")
    ts.ticket_resolve(ticket=ticket, by=tina, resolution="Done")
    sla = fresh(ticket).sla
    assert (sla.first_response_business_seconds, sla.resolution_business_seconds) == (None, None)


def test_business_time_of_a_first_response_given_while_pending_leaves_out_the_pause(
    alice, tina, default_policy
):
    with time_machine.travel(berlin(2026, 11, 17, 9, 0), tick=False) as clock:
        ticket = create(alice)
        clock.move_to(berlin(2026, 11, 17, 10, 0))
        ts.ticket_update(ticket=ticket, by=tina, status="pending")
        # an agent's first public reply at 13:00, still pending: 1 h ran, 3 h stood still
        clock.move_to(berlin(2026, 11, 17, 13, 0))
        ts.message_add(ticket=ticket, author=tina, body="Any news?")
    assert fresh(ticket).sla.first_response_business_seconds == 3600
