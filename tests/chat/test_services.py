"""The chat's services: who may take a chat, the team's cap, the least-loaded offer, what is counted."""

from __future__ import annotations

import pytest

from chat.models import AgentChatStatus, Chat, ChatSettings, TeamChatSettings
from chat.services import (
    AGENT_EMAIL,
    AGENT_FULL,
    CHAT_TAKEN,
    NOT_IN_TEAM,
    agent_available_set,
    chat_accept,
    chat_offer,
    chat_post_message,
    chat_start,
)
from helpdesk.errors import ApplicationError, ConflictError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_bot(db):  # noqa: ANN001, ANN202
    ChatSettings.objects.update_or_create(pk=1, defaults={"bot_enabled": False})


def _connected(agent) -> None:  # noqa: ANN001
    agent_available_set(agent=agent, available=True)
    AgentChatStatus.objects.filter(agent=agent).update(connections=1)


def _chat(n: int) -> Chat:
    return chat_start(name=f"Visitor {n}", email=f"visitor{n}@example.com", language="en")


def test_one_agent_only_takes_a_chat(service_desk, tina):  # noqa: ANN001
    other = UserFactory(username="olga", role="agent", first_name="Olga", teams=[service_desk])
    chat = _chat(1)
    chat_accept(chat=chat, agent=tina)
    with pytest.raises(ConflictError) as exc:
        chat_accept(chat=chat, agent=other)
    assert exc.value.message == str(CHAT_TAKEN)
    chat.refresh_from_db()
    assert chat.agent == tina
    assert chat.ticket.assignee == tina


def test_the_teams_cap_limits_concurrent_chats(service_desk, tina):  # noqa: ANN001
    TeamChatSettings.objects.create(team=service_desk, max_chats_per_agent=1)
    first, second = _chat(1), _chat(2)
    chat_accept(chat=first, agent=tina)
    with pytest.raises(ConflictError) as exc:
        chat_accept(chat=second, agent=tina)
    assert exc.value.message == str(AGENT_FULL)


def test_an_agent_of_another_team_cannot_take_the_chat(service_desk, nick):  # noqa: ANN001
    with pytest.raises(ApplicationError) as exc:
        chat_accept(chat=_chat(1), agent=nick)
    assert exc.value.message == str(NOT_IN_TEAM)


def test_the_offer_goes_to_the_least_loaded_connected_available_agent(service_desk, tina):  # noqa: ANN001
    olga = UserFactory(username="olga", role="agent", first_name="Olga", teams=[service_desk])
    away = UserFactory(username="away", role="agent", first_name="Away", teams=[service_desk])
    agent_available_set(agent=away, available=False)
    _connected(tina)
    _connected(olga)
    chat_accept(chat=_chat(1), agent=tina)  # tina has one chat, olga none
    assert chat_offer(chat=_chat(2)) == olga
    AgentChatStatus.objects.filter(agent=olga).update(connections=0)  # olga closed her inbox
    assert chat_offer(chat=_chat(3)) == tina


def test_no_agent_available_tells_the_customer_the_request_stays_open(service_desk):  # noqa: ANN001
    chat = _chat(1)
    line = chat.chat_messages.get()
    assert chat.ticket.reference in line.message.body
    assert "No one is available" in line.message.body


def test_the_agents_first_line_is_the_tickets_first_response_and_the_customers_a_followup(
    service_desk, tina, django_assert_max_num_queries
):  # noqa: ANN001
    chat = _chat(1)
    chat_accept(chat=chat, agent=tina)
    chat_post_message(chat=chat, by=chat.customer, body="hello", client_id="c1")
    # 25 today: the chat's own lock, duplicate check and row (3); the rest is tickets.message_add and the
    # receivers of its event (notifications, SLA, audit), as for a reply on the ticket page.
    with django_assert_max_num_queries(25):
        chat_post_message(chat=chat, by=tina, body="Hi, Tina here", client_id="t1")
    chat_post_message(chat=chat, by=chat.customer, body="thanks", client_id="c2")
    ticket = chat.ticket
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.public_reply_count == 1
    assert ticket.customer_followup_count == 1
    assert ticket.channel == "chat"


def test_a_signed_in_customer_is_known_and_an_agents_address_is_refused(service_desk, alice, tina):  # noqa: ANN001
    chat = chat_start(user=alice, language="de")
    assert chat.customer == alice
    assert chat.language == "de"
    assert tina.email
    with pytest.raises(ApplicationError) as exc:
        chat_start(name="Fake Tina", email=tina.email.upper(), language="en")
    assert exc.value.message == str(AGENT_EMAIL)


def test_a_live_chats_ticket_gets_no_receipt_mail(service_desk):  # noqa: ANN001
    from notifications.models import Notification

    # when: a visitor starts a chat
    chat = _chat(1)
    # then: no "request received" mail while the customer is in the chat
    assert not Notification.objects.filter(ticket=chat.ticket, kind=Notification.Kind.RECEIVED).exists()
