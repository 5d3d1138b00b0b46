"""The SLA sweep: each warning and breach exactly once, whatever the number of runs."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from sla import services
from sla.models import SlaAlert, TicketSla
from tickets import services as ts
from tickets.models import Ticket, TicketEvent

K = TicketEvent.Kind


@pytest.fixture
def policy_24_7(make_policy, always_open):  # noqa: ANN001, ANN201
    """Default 24/7 policy: first response 10 minutes, resolution 20 minutes, warning at 80 %."""
    policy = make_policy("Fast", minutes=10, calendar=always_open, is_default=True)
    for n in range(1, 5):
        setattr(policy, f"p{n}_resolution", 20)
    policy.save()
    return policy


def create(requester, n: int = 1) -> list[Ticket]:  # noqa: ANN001
    return [
        ts.ticket_create(requester=requester, by=requester, subject=f"Printer {i}", description="d")
        for i in range(n)
    ]


def alerts(ticket: Ticket | None = None) -> list[tuple[str, str]]:
    qs = SlaAlert.objects.order_by("id")
    if ticket is not None:
        qs = qs.filter(ticket=ticket)
    return list(qs.values_list("target", "kind"))


def sla_events(ticket: Ticket) -> list[tuple[str, dict, int | None]]:
    return [
        (e.kind, {k: v for k, v in e.data.items() if k != "version"}, e.actor_id)
        for e in ticket.events.filter(kind__in=[K.SLA_WARNING, K.SLA_BREACH]).order_by("id")
    ]


@pytest.mark.django_db
def test_warning_and_breach_happen_once_each_over_repeated_runs(alice, policy_24_7):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [ticket] = create(alice)
    # when the sweep runs every minute for half an hour
    results = [services.sla_sweep(now=start + timedelta(minutes=m, seconds=30)) for m in range(30)]
    # then: first response warned at 8 min and breached at 10, resolution at 16 and 20 — once each
    assert alerts(ticket) == [
        ("first_response", "warning"),
        ("first_response", "breach"),
        ("resolution", "warning"),
        ("resolution", "breach"),
    ]
    assert sla_events(ticket) == [
        ("sla_warning", {"target": "first_response", "tier": 1}, None),
        ("sla_breach", {"target": "first_response", "tier": 1, "charged_tier": 1}, None),
        ("sla_warning", {"target": "resolution", "tier": 1}, None),
        ("sla_breach", {"target": "resolution", "tier": 1, "charged_tier": 1}, None),
    ]
    assert sum(sum(r.values()) for r in results) == 4
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "breached"


@pytest.mark.django_db
def test_the_state_follows_the_warning(alice, policy_24_7):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [ticket] = create(alice)
    services.sla_sweep(now=start + timedelta(minutes=9))
    ticket.refresh_from_db()
    assert ticket.sla_state == "warning"
    assert ticket.version == 1  # the sweep does not make agents' open forms stale


@pytest.mark.django_db
def test_a_met_target_never_warns(alice, tina, policy_24_7):
    # given a ticket answered after 2 minutes
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        [ticket] = create(alice)
        clock.shift(timedelta(minutes=2))
        ts.message_add(ticket=ticket, author=tina, body="On it")
    # when the sweep runs past every threshold
    for m in range(0, 30, 3):
        services.sla_sweep(now=start + timedelta(minutes=m))
    # then only the resolution target warns and breaches
    assert alerts(ticket) == [("resolution", "warning"), ("resolution", "breach")]


@pytest.mark.django_db
def test_a_first_response_counts_even_if_its_sla_row_lags(alice, tina, policy_24_7):
    # given a ticket whose first response is on the ticket but (say, by a race) not yet on its SLA row
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [ticket] = create(alice)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_at=start + timedelta(minutes=1))
    # when
    services.sla_sweep(now=start + timedelta(minutes=9))
    # then
    assert alerts(ticket) == []


@pytest.mark.django_db
def test_a_late_sweep_records_the_breach_without_a_belated_warning(alice, policy_24_7):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [ticket] = create(alice)
    services.sla_sweep(now=start + timedelta(minutes=17))
    assert alerts(ticket) == [("first_response", "breach"), ("resolution", "warning")]


@pytest.mark.django_db
def test_paused_and_solved_tickets_are_left_alone(alice, tina, policy_24_7):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        pending, solved = create(alice, 2)
        ts.ticket_update(ticket=pending, by=tina, status="pending")
        ts.ticket_resolve(ticket=solved, by=tina, resolution="Fixed")
    services.sla_sweep(now=start + timedelta(hours=5))
    assert alerts() == []
    assert Ticket.objects.get(pk=pending.pk).sla_state == "paused"


@pytest.mark.django_db
def test_a_row_another_sweep_recorded_first_gets_no_second_event(alice, policy_24_7):
    # given a breach a concurrent sweep already inserted (its flag not visible to us yet)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [ticket] = create(alice)
    SlaAlert.objects.create(ticket=ticket, target="first_response", kind="breach", tier=1)
    # when
    services.sla_sweep(now=start + timedelta(minutes=17))
    # then the unique row stays single, no event is recorded for it, and the ticket leaves the queue
    assert alerts(ticket) == [("first_response", "breach"), ("resolution", "warning")]
    assert [k for k, _d, _a in sla_events(ticket)] == ["sla_warning"]
    assert TicketSla.objects.get(ticket=ticket).first_response_breached_at is not None


@pytest.mark.django_db
def test_many_tickets_are_swept_in_batches(alice, policy_24_7):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        tickets = create(alice, 7)
    counts = services.sla_sweep(now=start + timedelta(minutes=11), batch_size=3)
    assert counts["first_response_breach"] == 7
    assert SlaAlert.objects.filter(kind="breach").count() == 7
    assert set(SlaAlert.objects.values_list("ticket_id", flat=True)) == {t.pk for t in tickets}


@pytest.mark.django_db
def test_a_sweep_with_nothing_to_do_is_a_handful_of_queries(
    alice, policy_24_7, django_assert_max_num_queries
):
    create(alice, 5)
    with django_assert_max_num_queries(4 * 3):  # per crossing: savepoint/transaction + the candidate query
        services.sla_sweep()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_each_crossing_once(alice, policy_24_7):
    # given 40 tickets past their first-response due time and their resolution warning
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        tickets = create(alice, 40)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait()
            services.sla_sweep(now=start + timedelta(minutes=17), batch_size=4)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    # when two sweeps run at the same moment
    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # then each ticket has one breach, one warning, and one event of each
    assert errors == []
    assert SlaAlert.objects.filter(kind="breach", target="first_response").count() == 40
    assert SlaAlert.objects.filter(kind="warning", target="resolution").count() == 40
    assert TicketEvent.objects.filter(kind=K.SLA_BREACH).count() == 40
    assert TicketEvent.objects.filter(kind=K.SLA_WARNING).count() == 40
    assert {t.pk for t in tickets} == set(
        Ticket.objects.filter(sla_state="breached").values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_breach_under_an_auto_escalating_policy_is_recorded(alice, policy_24_7):
    # given the policy escalates on breach (the escalation app does the escalating when installed)
    policy_24_7.auto_escalate_on_breach = True
    policy_24_7.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [ticket] = create(alice)
    # when
    services.sla_sweep(now=start + timedelta(minutes=25))
    # then the breaches stand whatever the escalation did
    assert sorted(alerts(ticket)) == [("first_response", "breach"), ("resolution", "breach")]
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "breached"
