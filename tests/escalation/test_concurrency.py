"""Two agents escalating the same ticket at the same moment produce exactly one escalation.

Real concurrent HTTP requests against the live server on PostgreSQL: the row lock on the ticket
(``SELECT … FOR UPDATE``) serialises them; ``from_tier`` turns the losers into 409s.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from accounts.models import User
from apitokens.services import api_token_create
from escalation.models import Escalation
from tests.factories import UserFactory
from tickets.models import Ticket, TicketEvent

PARALLEL = 20


def _post(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_escalations_of_one_ticket_make_exactly_one(
    live_server, vpn_ticket, service_desk, handoff
):
    # given twenty tier-1 agents, each with the escalate form open at tier 1
    tokens = []
    for i in range(PARALLEL):
        agent = UserFactory(username=f"agent{i}", role=User.Role.AGENT, teams=[service_desk])
        tokens.append(api_token_create(user=agent, name="test", scope="write")[1])
    url = f"{live_server.url}/api/v1/tickets/{vpn_ticket.pk}/escalate/"
    body = {**handoff, "from_tier": 1}
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    lock = threading.Lock()

    def escalate(token: str) -> None:
        barrier.wait()
        code = _post(url, token, body)
        with lock:
            statuses.append(code)

    # when they all press "Escalate" at once
    threads = [threading.Thread(target=escalate, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    # then exactly one wins; the others are told it moved on
    assert len(statuses) == PARALLEL
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {201, 409, 400}, statuses
    ticket = Ticket.objects.get(pk=vpn_ticket.pk)
    assert (ticket.tier, ticket.escalation_count) == (2, 1)
    assert Escalation.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.ESCALATED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_escalations_without_from_tier_never_skip_past_tier_3(
    live_server, vpn_ticket, service_desk, handoff
):
    # given: without from_tier each request escalates whatever tier it finds; the lock keeps them in line
    tokens = [
        api_token_create(
            user=UserFactory(username=f"b{i}", role=User.Role.AGENT, teams=[service_desk]),
            name="test",
            scope="write",
        )[1]
        for i in range(6)
    ]
    url = f"{live_server.url}/api/v1/tickets/{vpn_ticket.pk}/escalate/"
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []

    def escalate(token: str) -> None:
        barrier.wait()
        statuses.append(_post(url, token, handoff))

    threads = [threading.Thread(target=escalate, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    # then 1→2 and 2→3 succeed once each; the rest are refused at tier 3
    assert sorted(statuses) == [201, 201, 400, 400, 400, 400], statuses
    ticket = Ticket.objects.get(pk=vpn_ticket.pk)
    assert (ticket.tier, ticket.escalation_count) == (3, 2)
    events = TicketEvent.objects.filter(ticket=ticket, kind="escalated").order_by("id")
    assert [(e.old_value, e.new_value) for e in events] == [("1", "2"), ("2", "3")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_arrivals_never_overfill_the_load_cap(
    live_server, alice, network_category, service_desk, handoff
):
    # given a round-robin team of two agents who may hold one open ticket each
    from accounts.models import Team
    from tickets import services as core

    team = Team.objects.get(tier=2, is_default_for_tier=True)
    team.routing, team.max_open_per_agent = Team.Routing.ROUND_ROBIN, 1
    team.save()
    agents = [UserFactory(username=f"n{i}", role=User.Role.AGENT, teams=[team]) for i in range(2)]
    escalator = UserFactory(username="t1", role=User.Role.AGENT, teams=[service_desk])
    token = api_token_create(user=escalator, name="test", scope="write")[1]
    tickets = [
        core.ticket_create(
            requester=alice, by=alice, subject=f"s{i}", description="d", category=network_category
        )
        for i in range(6)
    ]
    barrier = threading.Barrier(len(tickets))
    statuses: list[int] = []

    def escalate(pk: int) -> None:
        barrier.wait()
        statuses.append(_post(f"{live_server.url}/api/v1/tickets/{pk}/escalate/", token, handoff))

    # when all six arrive at once
    threads = [threading.Thread(target=escalate, args=(t.pk,)) for t in tickets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    # then all are escalated, and each agent got exactly one
    assert statuses == [201] * 6
    assert sorted(Ticket.objects.filter(assignee__in=agents).values_list("assignee", flat=True)) == sorted(
        a.pk for a in agents
    )
