"""seed_demo plays the demo's past: nobody is mailed about it, while new activity afterwards is."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from notifications.models import Notification, NotificationFanout
from notifications.services import notification_redispatch
from sla.services import sla_sweep
from tests.notifications.conftest import eager_tasks  # noqa: F401 - the fixture
from tickets.models import Ticket
from tickets.services import message_add
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("eager_tasks")
def test_demo_history_sends_no_mail_but_new_activity_does(settings, django_capture_on_commit_callbacks):  # noqa: ANN001
    settings.NOTIFICATIONS_REDISPATCH_GRACE_SECONDS = 0
    # given: the demo's 60 days of history, as the first `make run` seeds them
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--if-empty", stdout=StringIO())

    # when: the worker's periodic jobs run (redispatch of the outbox, the SLA sweep) and deliver what is due
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep()
    notification_redispatch()

    # then: nothing was written to send, nothing was sent
    assert not Notification.objects.exists()
    assert not NotificationFanout.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []

    # when: an agent answers a demo customer now
    ticket = Ticket.objects.filter(requester__username="customer", status=Ticket.Status.OPEN).first()
    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=ticket.assignee, body="We are on it.")
    notification_redispatch()

    # then: the customer gets that reply
    assert Notification.objects.filter(ticket=ticket, kind=Notification.Kind.REPLY).exists()
    assert [m.to for m in mail.outbox] == [[ticket.requester.email]]
