"""seed_demo: idempotent demo data in every state, made through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Team, User
from organisations import demo as org_demo
from tickets.models import Category, EscalationPath, Message, Rating, Ticket, TicketEvent
from tickets.seeding import DEMO_USERS

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = (User, Team, Category, EscalationPath, Ticket, Message, TicketEvent, Rating)
    return {m.__name__: m.objects.count() for m in models}


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_twice_gives_the_same_data_and_working_logins():
    # given
    _seed()
    first = _counts()
    # when
    _seed()
    out = _seed("--logins-only")
    # then
    assert _counts() == first
    assert first["Ticket"] >= 45
    # the logins, and the organisations' members without one (organisations.demo)
    assert first["User"] == len(DEMO_USERS) + sum(not isinstance(m[1], str) for m in org_demo.MEMBERS)
    assert Team.objects.filter(is_default_for_tier=True).count() == 3
    assert User.objects.get(username="agent2").teams.filter(tier=2).exists()
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.check_password(spec.password)
        assert user.role == spec.role
        assert spec.username in out
        assert spec.password in out


def test_seed_demo_makes_every_status_in_both_languages_with_consistent_counters():
    # when
    out = _seed()

    # then: every status, German and English, spread over the last 60 days
    tickets = Ticket.objects.annotate(
        agent_replies=Count(
            "messages", filter=Q(messages__by_agent=True, messages__internal=False), distinct=True
        ),
        reopens=Count("events", filter=Q(events__kind=TicketEvent.Kind.REOPENED), distinct=True),
    )
    assert set(tickets.values_list("status", flat=True)) == set(Ticket.Status.values)
    assert set(tickets.values_list("language", flat=True)) == {"de", "en"}
    now = timezone.now()
    assert all(now - timedelta(days=61) < t.created_at <= now for t in tickets)
    assert any(t.created_at < now - timedelta(days=20) for t in tickets)
    assert Message.objects.filter(internal=True).exists()
    assert Rating.objects.exists()
    assert Ticket.objects.filter(reopen_count__gt=0).exists()

    # then: the counters and timestamps agree with the messages and events
    for t in tickets:
        assert t.public_reply_count == t.agent_replies, t.subject
        assert t.reopen_count == t.reopens, t.subject
        events = list(t.events.order_by("created_at", "id"))
        assert events[0].kind == TicketEvent.Kind.CREATED
        assert t.created_at == events[0].created_at
        assert t.created_at <= t.updated_at <= events[-1].created_at  # a rating leaves updated_at alone
        first_reply = t.messages.filter(by_agent=True, internal=False).order_by("created_at").first()
        assert t.first_response_at == (first_reply.created_at if first_reply else None)
        if first_reply:
            assert (
                t.customer_followup_count
                == t.messages.filter(author=t.requester, created_at__gt=first_reply.created_at).count()
            )
        if t.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
            assert t.resolved_at
            assert t.resolved_tier
            assert t.resolution
            assert t.created_at <= t.resolved_at <= now
        if t.status == Ticket.Status.CLOSED:
            assert t.resolved_at <= t.closed_at <= now
        if t.status == Ticket.Status.NEW:
            assert t.assignee is None
            assert t.first_response_at is None

    # then: a share was solved on first contact (one public answer, no further customer message)
    first_contact = tickets.filter(
        status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED], resolved_tier=1, escalation_count=0,
        reopen_count=0, customer_followup_count=0, public_reply_count__lte=1,
    )  # fmt: skip
    assert first_contact.count() >= 3
    # then: each life was played at its own past times, the other apps' records included
    from escalation.models import Escalation
    from sla.models import TicketSla

    assert TicketSla.objects.filter(resolution_business_seconds__gt=3600).exists()
    for escalation in Escalation.objects.select_related("ticket"):
        assert escalation.ticket.created_at < escalation.created_at <= now
    assert Escalation.objects.filter(created_at__lt=now - timedelta(days=5)).exists()

    # then: the logins are printed
    for user in DEMO_USERS:
        assert user.username in out
        assert user.password in out


def test_seed_demo_if_empty_does_nothing_when_users_exist():
    # given
    User.objects.create_user(username="admin", password="x-Secret-12345")
    # when
    out = _seed("--if-empty")
    # then
    assert Ticket.objects.count() == 0
    assert Team.objects.count() == 0
    assert "demo-" not in out  # no demo users here, so no demo logins to print


def test_the_demo_agents_answer_in_working_hours():
    # given a Wednesday noon (the last hour before "now" is in working hours too)
    with time_machine.travel(datetime(2026, 11, 18, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")), tick=False):
        _seed()
    # then: every agent reply is Mon–Fri 08:00–17:00 Berlin, so business times are not all 0 min
    replies = Message.objects.filter(by_agent=True, internal=False)
    assert replies.count() > 40
    for created in replies.values_list("created_at", flat=True):
        local = created.astimezone(ZoneInfo("Europe/Berlin"))
        assert local.weekday() < 5, local
        assert 8 <= local.hour < 17, local
    # and the customers still write at any time of day
    hours = {
        t.astimezone(ZoneInfo("Europe/Berlin")).hour
        for t in Ticket.objects.values_list("created_at", flat=True)
    }
    assert hours - set(range(8, 17))
