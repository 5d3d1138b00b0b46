"""A team-wide mail is rendered once per language, yet every member is greeted by name."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from tests.factories import UserFactory
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def test_each_team_member_gets_their_own_greeting_in_their_language(alice, service_desk):
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
    # then
    mails = {n.recipient.username: n for n in Notification.objects.filter(recipient__in=members)}
    assert "Hello Anna," in mails["anna"].body_text
    assert "Guten Tag Bernd," in mails["bernd"].body_text
    assert mails["bernd"].language == "de"
    assert "Hello O'Neil <Ops>," in mails["o"].body_text
    assert "O&#x27;Neil &lt;Ops&gt;" in mails["o"].body_html
    assert all("HDRECIPIENTNAMESLOT" not in n.body_text + n.body_html for n in mails.values())
