"""The demo shows mentions from the first sign-in: agent1 has a mention waiting, and nobody was mailed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from notifications.models import InAppNotification, Mention, Notification, TicketFollower
from notifications.selectors import inapp_unread_count

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_mention_for_agent1_and_sends_nothing():
    call_command("seed_demo", "--if-empty", stdout=StringIO())
    agent1 = User.objects.get(username="agent1")
    assert inapp_unread_count(user=agent1) == 1
    item = InAppNotification.objects.get(recipient=agent1)
    assert item.topic == "mentioned"
    assert item.excerpt.startswith("@Anna Weber")
    mention = Mention.objects.get()
    assert (mention.user, mention.notified) == (agent1, True)
    assert TicketFollower.objects.get(user=agent1).ticket == item.ticket
    assert not Notification.objects.exists()
