"""Team-wide mails: one fan-out row in the change, one row per member written by a worker, once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import User
from notifications.models import Notification, NotificationFanout
from notifications.services import notification_redispatch
from notifications.tasks import expand_fanouts
from tests.factories import UserFactory
from tickets.events import event_record
from tickets.models import TicketEvent
from tickets.services import ticket_create

from .conftest import broker_down
from .conftest import expand_fanouts as expand_all

pytestmark = pytest.mark.django_db
K = Notification.Kind
S = Notification.Status


def rows(**filters: object) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(**filters).values_list("kind", "recipient__username"))


def agents(team, n: int) -> list[User]:  # noqa: ANN001
    return [UserFactory(role=User.Role.AGENT, teams=[team]) for _ in range(n)]


def test_a_new_ticket_writes_one_fanout_for_the_team_and_no_member_rows(alice, tina, service_desk):  # noqa: ANN001
    # given: a team of eleven
    agents(service_desk, 10)
    # when
    ticket = ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    # then: the receipt, and one team-level record instead of eleven rows
    assert rows() == [(K.RECEIVED, "alice")]
    fanout = NotificationFanout.objects.get()
    assert (fanout.kind, fanout.team, fanout.expanded_at) == (K.NEW_IN_QUEUE, service_desk, None)
    assert fanout.event == ticket.events.get(kind=TicketEvent.Kind.CREATED)


@pytest.mark.parametrize("members", [1, 30])
def test_the_create_api_takes_the_same_queries_whatever_the_team_size(
    api_as, alice, service_desk, members, django_assert_max_num_queries
):  # noqa: ANN001
    # given
    agents(service_desk, members)
    body = {"subject": "Printer", "description": "Blank pages."}
    # when / then: the request's work does not grow with the receiving team: ticket, event, SLA clock (4),
    # the receipt (insert + its id), the team's fan-out, webhooks, the response (2), savepoint and release
    with django_assert_max_num_queries(16):
        response = api_as(alice).post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 201
    assert Notification.objects.count() == 1


def test_the_expansion_task_writes_each_members_row_once_and_delivers_it(
    alice,
    tina,
    service_desk,
    django_capture_on_commit_callbacks,
    eager_tasks,  # noqa: ANN001
):
    # given
    colleagues = agents(service_desk, 2)
    # when: the commit enqueues the delivery and the expansion (tasks run in-process)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    # then: every member has their row, sent once
    expected = sorted([(K.NEW_IN_QUEUE, u.username) for u in [tina, *colleagues]] + [(K.RECEIVED, "alice")])
    assert rows() == expected
    assert set(Notification.objects.values_list("status", flat=True)) == {S.SENT}
    assert NotificationFanout.objects.get().expanded_at is not None
    event = ticket.events.get(kind=TicketEvent.Kind.CREATED)
    tina_row = Notification.objects.get(recipient=tina)
    assert tina_row.idempotency_key == f"{event.pk}:{K.NEW_IN_QUEUE}:{tina.pk}"
    sent = len(mail.outbox)
    assert sent == 4
    # when: the task runs again (a redelivered message), also with the fan-out's mark undone
    with django_capture_on_commit_callbacks(execute=True):
        expand_fanouts.delay(event.pk)
        NotificationFanout.objects.update(expanded_at=None)
        expand_fanouts.delay(event.pk)
    # then: nothing new, nothing sent twice
    assert rows() == expected
    assert len(mail.outbox) == sent


def test_the_redispatch_expands_a_fanout_whose_task_never_reached_the_broker(
    alice,
    tina,
    service_desk,
    settings,
    django_capture_on_commit_callbacks,
    eager_tasks,  # noqa: ANN001
):
    settings.NOTIFICATIONS_REDISPATCH_GRACE_SECONDS = 0
    # when: the change commits while the broker is unreachable
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    # then: the change and its outbox are committed; nothing was expanded or sent
    assert rows() == [(K.RECEIVED, "alice")]
    assert NotificationFanout.objects.get().expanded_at is None
    assert mail.outbox == []
    # when: the broker is back and the periodic redispatch runs
    with django_capture_on_commit_callbacks(execute=True):
        handed_on = notification_redispatch()
    # then: the receipt was re-enqueued, the team mail written and enqueued: each sent once
    assert handed_on == 2
    assert rows() == [(K.NEW_IN_QUEUE, "tina"), (K.RECEIVED, "alice")]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, tina.email])
    assert NotificationFanout.objects.get().expanded_at is not None
    # and later runs find nothing left
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_redispatch() == 0
    assert len(mail.outbox) == 2


def test_the_redispatch_leaves_a_fresh_fanout_to_its_own_task(alice, tina, service_desk, settings):  # noqa: ANN001
    settings.NOTIFICATIONS_REDISPATCH_GRACE_SECONDS = 30
    ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    assert notification_redispatch() == 0
    assert NotificationFanout.objects.get().expanded_at is None


def test_members_who_may_not_get_mail_get_none_at_expansion(alice, tina, service_desk):  # noqa: ANN001
    # given: an inactive member, one without an address, a customer wrongly in the team, and one agent
    # who turned off status mails (a customers' setting: agents' queue mails still go out)
    UserFactory(username="gone", role=User.Role.AGENT, is_active=False, teams=[service_desk])
    UserFactory(username="noaddress", role=User.Role.AGENT, email="", teams=[service_desk])
    UserFactory(username="customer", role=User.Role.CUSTOMER, teams=[service_desk])
    UserFactory(username="quiet", role=User.Role.AGENT, email_updates=False, teams=[service_desk])
    ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    # when
    expand_all()
    # then
    assert rows(kind=K.NEW_IN_QUEUE) == [(K.NEW_IN_QUEUE, "quiet"), (K.NEW_IN_QUEUE, "tina")]


def test_members_are_those_of_the_team_when_the_fanout_is_expanded(alice, tina, service_desk):  # noqa: ANN001
    ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    # given: between the commit and the expansion one member leaves, another joins
    tina.teams.clear()
    UserFactory(username="newbie", role=User.Role.AGENT, teams=[service_desk])
    # when
    expand_all()
    # then
    assert rows(kind=K.NEW_IN_QUEUE) == [(K.NEW_IN_QUEUE, "newbie")]


def test_the_agent_who_escalates_is_not_told_about_it(alice, tina, nick, network_team, network_category):  # noqa: ANN001
    # given: tina is in the receiving team too
    tina.teams.add(network_team)
    ticket = ticket_create(
        requester=alice, by=alice, subject="VPN", description="x", category=network_category
    )
    # when: she escalates to it
    with transaction.atomic():
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.ESCALATED,
            actor=tina,
            field="tier",
            old=1,
            new=2,
            data={"team": network_team.pk},
        )
    expand_all()
    # then
    assert rows(kind=K.ESCALATED) == [(K.ESCALATED, "nick")]
    assert "Network" in Notification.objects.get(kind=K.ESCALATED).body_text


def test_each_team_member_gets_their_own_greeting_in_their_language(alice, service_desk):  # noqa: ANN001
    # given: three agents of the team, one German, one with a name that needs escaping in HTML
    members = [
        UserFactory(username="anna", first_name="Anna", role="agent", language="en", teams=[service_desk]),
        UserFactory(username="bernd", first_name="Bernd", role="agent", language="de", teams=[service_desk]),
        UserFactory(
            username="o", first_name="O'Neil <Ops>", role="agent", language="en", teams=[service_desk]
        ),
    ]
    # when
    ticket_create(requester=alice, by=alice, subject="VPN", description="down")
    expand_all()
    # then
    mails = {n.recipient.username: n for n in Notification.objects.filter(recipient__in=members)}
    assert "Hello Anna," in mails["anna"].body_text
    assert "Guten Tag Bernd," in mails["bernd"].body_text
    assert mails["bernd"].language == "de"
    assert "Hello O'Neil <Ops>," in mails["o"].body_text
    assert "O&#x27;Neil &lt;Ops&gt;" in mails["o"].body_html
    assert "A new ticket is waiting in the queue of your team Service Desk." in mails["anna"].body_text
    assert all("HDRECIPIENTNAMESLOT" not in n.body_text + n.body_html for n in mails.values())
