"""Writing the outbox: which event makes which mail for whom, in the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from accounts.models import User
from notifications.models import Notification, NotificationFanout
from notifications.services import notifications_for_event
from tests.factories import UserFactory
from tickets.events import event_record, event_recorded
from tickets.models import TicketEvent
from tickets.services import (
    message_add,
    ticket_create,
    ticket_reopen,
    ticket_resolve,
    ticket_update,
)

from .conftest import expand_fanouts

pytestmark = pytest.mark.django_db
K = Notification.Kind
SECRET = "INTERNAL-ONLY: the VPN admin password is hunter2"


@pytest.fixture
def ticket(alice, tina, network_category):  # noqa: ANN001
    return ticket_create(
        requester=alice,
        subject="VPN drops every hour",
        description="Since Monday.",
        by=alice,
        category=network_category,
    )


def rows(**filters: object) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(**filters).values_list("kind", "recipient__username"))


def test_creating_a_ticket_writes_the_receipt_and_the_queue_mails(ticket, alice, tina):  # noqa: ANN001
    # then: the requester gets the receipt (although she made the change), the 1st-level team the queue
    # mail once a worker expanded the team's fan-out
    assert rows(ticket=ticket) == [(K.RECEIVED, "alice")]
    expand_fanouts()
    assert rows(ticket=ticket) == [(K.NEW_IN_QUEUE, "tina"), (K.RECEIVED, "alice")]
    receipt = Notification.objects.get(kind=K.RECEIVED)
    assert receipt.status == Notification.Status.PENDING
    assert receipt.address == alice.email
    assert receipt.subject.startswith(f"[{ticket.reference}] ")
    assert "VPN drops every hour" in receipt.body_text
    assert receipt.event.kind == TicketEvent.Kind.CREATED


def test_a_request_made_while_the_requester_is_present_gets_no_receipt(alice, tina, network_category):  # noqa: ANN001
    # when: a channel where the customer is present as the ticket opens (a live chat) says so in the event
    t = ticket_create(
        requester=alice,
        by=alice,
        subject="Live",
        description="x",
        category=network_category,
        event_data={"requester_present": True},
    )
    expand_fanouts()
    # then: no receipt (the customer is in the conversation), the team's queue mail still
    assert rows(ticket=t) == [(K.NEW_IN_QUEUE, "tina")]


def test_a_rolled_back_change_leaves_no_rows(alice, tina, network_category):  # noqa: ANN001
    # when: the change fails after its event was recorded
    inside: list[int] = []

    def change_that_fails() -> None:
        with transaction.atomic():
            ticket_create(
                requester=alice, subject="Printer", description="x", by=alice, category=network_category
            )
            inside.append(Notification.objects.count())  # written inside the transaction…
            assert NotificationFanout.objects.count() == 1
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert inside == [1]  # the receipt; the team's mail is one fan-out row
    # then: …and gone with it
    assert Notification.objects.count() == 0
    assert NotificationFanout.objects.count() == 0


def test_delivery_is_enqueued_only_after_the_commit(
    alice,
    tina,
    network_category,
    django_capture_on_commit_callbacks,
    eager_tasks,  # noqa: ANN001
):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ticket_create(
            requester=alice, subject="Printer", description="x", by=alice, category=network_category
        )
        # then: nothing went out (or was expanded) before the commit
        assert mail.outbox == []
    ours = [
        c for c in callbacks if getattr(getattr(c, "func", c), "__module__", "").startswith("notifications")
    ]
    assert len(ours) == 2  # the change's; then the expansion's, which enqueued the team's rows
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, tina.email]
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}


def test_the_receipt_names_the_expected_first_response_time(alice, service_desk):  # noqa: ANN001
    # given: the default business-hours policy (P3: first response within 4 business hours)
    from sla import demo

    demo.default_policy()
    # when: a request arrives on Monday 2 March 2026 at 10:30 Berlin time
    with time_machine.travel(datetime(2026, 3, 2, 10, 30, tzinfo=ZoneInfo("Europe/Berlin")), tick=False):
        ticket_create(requester=alice, by=alice, subject="Printer", description="x")
    # then: the sla app set the due time before this receiver wrote the receipt
    receipt = Notification.objects.get(kind=K.RECEIVED)
    assert "first response by" in receipt.body_text
    assert "2 Mar 2026, 14:30." in receipt.body_text


def test_an_internal_note_never_produces_a_customer_mail(ticket, tina):  # noqa: ANN001
    # given
    Notification.objects.all().delete()
    # when: an internal note, then a public reply, waiting, solved
    message_add(ticket=ticket, author=tina, body=SECRET, internal=True)
    assert Notification.objects.count() == 0
    message_add(ticket=ticket, author=tina, body="Please restart the VPN client.")
    ticket_update(ticket=ticket, by=tina, status="pending")
    ticket_resolve(ticket=ticket, by=tina, resolution="Client updated.")
    # then: the customer got three mails and none of them mentions the note
    customer_mails = Notification.objects.filter(recipient=ticket.requester)
    assert sorted(customer_mails.values_list("kind", flat=True)) == [K.REPLY, K.RESOLVED, K.WAITING]
    for n in Notification.objects.all():
        assert "hunter2" not in n.body_text + n.body_html + n.subject


def test_a_public_reply_carries_its_text_escaped_in_html(ticket, tina, alice):  # noqa: ANN001
    # when
    message_add(ticket=ticket, author=tina, body="Please restart <b>the</b> client.\nThen try again.")
    # then
    reply = Notification.objects.get(kind=K.REPLY)
    assert reply.recipient == alice
    assert "Please restart <b>the</b> client.\nThen try again." in reply.body_text
    assert "Please restart &lt;b&gt;the&lt;/b&gt; client.<br>Then try again." in reply.body_html
    assert "Tina" in reply.body_text


def test_nobody_is_mailed_about_their_own_change(ticket, alice, tina, sam):  # noqa: ANN001
    Notification.objects.all().delete()
    # when: the customer writes, and the agent assigns herself
    message_add(ticket=ticket, author=alice, body="Any news?")
    ticket_update(ticket=ticket, by=tina, assignee=tina)
    # then
    assert rows() == []
    # when: the supervisor assigns her
    ticket_update(ticket=ticket, by=sam, assignee=None)
    ticket_update(ticket=ticket, by=sam, assignee=tina)
    assert rows() == [(K.ASSIGNED, "tina")]


def test_status_changes_the_customer_hears_about(ticket, alice, tina):  # noqa: ANN001
    Notification.objects.all().delete()
    # when
    ticket_update(ticket=ticket, by=tina, status="pending")
    ticket_update(ticket=ticket, by=tina, status="open")  # back to work: no mail
    ticket_resolve(ticket=ticket, by=tina, resolution="Done.")
    ticket_reopen(ticket=ticket, by=tina)
    # then
    assert [k for k, _u in rows(recipient=alice)] == sorted([K.WAITING, K.RESOLVED, K.REOPENED])


def test_the_resolved_mail_carries_five_signed_survey_links(ticket, tina):  # noqa: ANN001
    ticket_resolve(ticket=ticket, by=tina, resolution="Done.")
    resolved = Notification.objects.get(kind=K.RESOLVED)
    for score in range(1, 6):
        assert "/survey/" in resolved.body_text
        assert f"?score={score}" in resolved.body_text
        assert f"?score={score}" in resolved.body_html


def test_an_escalation_tells_the_customer_and_the_receiving_team(
    ticket,
    alice,
    tina,
    nick,
    network_team,  # noqa: ANN001
):
    expand_fanouts()  # the creation's queue mail
    Notification.objects.all().delete()
    # when: the escalation app records its event (field tier; data escalation + team)
    with transaction.atomic():
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.ESCALATED,
            actor=tina,
            field="tier",
            old=1,
            new=2,
            data={"escalation": 7, "team": network_team.pk},
        )
    # then: the customer's mail at once, the team's once the fan-out is expanded
    assert rows() == [(K.FORWARDED, "alice")]
    assert NotificationFanout.objects.filter(kind=K.ESCALATED, team=network_team).count() == 1
    expand_fanouts()
    assert rows() == [(K.ESCALATED, "nick"), (K.FORWARDED, "alice")]
    assert "Network" in Notification.objects.get(kind=K.FORWARDED).body_text


def test_sla_warning_goes_to_the_assignee_else_the_team(ticket, tina, sam, service_desk):  # noqa: ANN001
    # given: a colleague of tina in the same team
    UserFactory(username="tom", role=User.Role.AGENT, teams=[service_desk])
    Notification.objects.all().delete()
    # when: no assignee yet
    event_record(ticket=ticket, kind=TicketEvent.Kind.SLA_WARNING, data={"target": "first_response"})
    assert rows() == [(K.SLA_WARNING, "tina"), (K.SLA_WARNING, "tom")]
    # when: assigned
    ticket_update(ticket=ticket, by=sam, assignee=tina)
    ticket.refresh_from_db()
    Notification.objects.all().delete()
    event_record(ticket=ticket, kind=TicketEvent.Kind.SLA_WARNING, data={"target": "resolution"})
    assert rows() == [(K.SLA_WARNING, "tina")]
    assert "resolution target" in Notification.objects.get().body_text


def test_sla_breach_goes_to_the_team_and_the_supervisors(ticket, tina, sam):  # noqa: ANN001
    Notification.objects.all().delete()
    event_record(ticket=ticket, kind=TicketEvent.Kind.SLA_BREACH, data={"target": "first_response"})
    assert rows() == [(K.SLA_BREACH, "sam"), (K.SLA_BREACH, "tina")]


def test_customers_who_opted_out_get_only_the_essential_mails(alice, tina, network_team, network_category):  # noqa: ANN001
    # given
    alice.email_updates = False
    alice.save()
    t = ticket_create(requester=alice, subject="VPN", description="x", by=alice, category=network_category)
    # when: every kind of customer mail is due once
    message_add(ticket=t, author=tina, body="Which client version?")
    ticket_update(ticket=t, by=tina, status="pending")
    event_record(ticket=t, kind=TicketEvent.Kind.ESCALATED, actor=tina, data={"team": network_team.pk})
    ticket_resolve(ticket=t, by=tina, resolution="Done.")
    ticket_reopen(ticket=t, by=tina)
    # then: no "forwarded", no "reopened"
    assert [k for k, _u in rows(recipient=alice)] == sorted([K.RECEIVED, K.REPLY, K.WAITING, K.RESOLVED])


def test_notification_events_never_create_notifications(ticket):  # noqa: ANN001
    before = Notification.objects.count()
    event_record(
        ticket=ticket, kind=TicketEvent.Kind.NOTIFICATION, data={"notification": 1, "kind": "received"}
    )
    assert Notification.objects.count() == before


def test_the_same_event_handled_twice_writes_each_mail_once(ticket):  # noqa: ANN001
    # given
    event = ticket.events.get(kind=TicketEvent.Kind.CREATED)
    receipt = Notification.objects.get(kind=K.RECEIVED)
    assert receipt.idempotency_key == f"{event.pk}:received:{ticket.requester_id}"
    # when: the signal is sent again for the same event
    event_recorded.send(sender=TicketEvent, ticket=ticket, event=event)
    ids = notifications_for_event(ticket=ticket, event=event)
    # then
    assert Notification.objects.count() == 1
    assert NotificationFanout.objects.count() == 1
    assert sorted(ids) == sorted(Notification.objects.values_list("pk", flat=True))


def test_inactive_users_and_users_without_address_get_nothing(alice, tina, network_category):  # noqa: ANN001
    alice.email = ""
    alice.save()
    tina.is_active = False
    tina.save()
    ticket_create(requester=alice, subject="x", description="x", by=alice, category=network_category)
    expand_fanouts()
    assert Notification.objects.count() == 0


def test_agent_mails_are_rendered_in_the_agents_language_whatever_the_request_language(
    ticket,
    service_desk,  # noqa: ANN001
):
    from django.utils import translation

    # given: a German agent in the team; the change happens in an English request
    UserFactory(username="dieter", role=User.Role.AGENT, language="de", teams=[service_desk])
    Notification.objects.all().delete()
    with translation.override("en"):
        event_record(ticket=ticket, kind=TicketEvent.Kind.SLA_BREACH, data={"target": "resolution"})
    mail_de = Notification.objects.get(recipient__username="dieter")
    assert mail_de.language == "de"
    assert "Das SLA-Ziel „Lösung“ des Tickets" in mail_de.body_text
    assert mail_de.subject.endswith("SLA verletzt: VPN drops every hour")


def test_the_receipt_sees_a_due_time_another_receiver_wrote_with_an_update(alice, tina, network_category):  # noqa: ANN001
    """The sla app runs first (INSTALLED_APPS order) and may set the due time with a queryset UPDATE."""
    from notifications.receivers import on_event_recorded
    from tickets.models import Ticket

    due = datetime(2026, 3, 2, 9, 15, tzinfo=ZoneInfo("Europe/Berlin"))

    def like_sla(sender, *, ticket, event, **kwargs):  # noqa: ANN001, ANN202
        if event.kind == TicketEvent.Kind.CREATED:
            Ticket.objects.filter(pk=ticket.pk).update(first_response_due=due)

    saved = list(event_recorded.receivers)
    uid = "notifications.on_event_recorded"
    event_recorded.disconnect(dispatch_uid=uid)
    event_recorded.connect(like_sla, dispatch_uid="test.like_sla", weak=False)
    event_recorded.connect(on_event_recorded, dispatch_uid=uid, weak=False)
    try:
        ticket_create(requester=alice, subject="VPN", description="x", by=alice, category=network_category)
    finally:  # the receivers exactly as the apps connected them
        with event_recorded.lock:
            event_recorded.receivers[:] = saved
            event_recorded.sender_receivers_cache.clear()
    receipt = Notification.objects.get(kind=K.RECEIVED)
    assert "You can expect a first response by 2 Mar 2026, 09:15." in receipt.body_text
