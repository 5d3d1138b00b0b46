"""The chat's WebSocket rules, through the real ASGI application (channels' WebsocketCommunicator),
PostgreSQL and the Redis channel layer."""

from __future__ import annotations

import pytest

from chat.consumers import CLOSE_FORBIDDEN, RATE_LIMITED
from chat.models import Chat, ChatMessage, ChatSettings
from chat.services import agent_available_set
from tickets.models import Message, Ticket

from .conftest import communicator, receive_until, run, session_cookie

# No redis mark: without REDIS_URL these run on the in-memory channel layer (the embedded `make run`).
pytestmark = [pytest.mark.django_db(transaction=True)]


async def _start(comm, name="Alice Visitor", email="alice.visitor@example.com", language="en"):  # noqa: ANN001, ANN202
    connected, _code = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "start", "name": name, "email": email, "language": language})
    joined, _ = await receive_until(comm, lambda f: f["type"] == "joined")
    return joined


def test_an_origin_not_allowed_is_refused_at_the_handshake(service_desk):  # noqa: ANN001
    async def scenario():  # noqa: ANN202
        comm = communicator(origin=b"https://evil.example")
        connected, _code = await comm.connect()
        assert not connected
        comm = communicator(origin=None)
        connected, _code = await comm.connect()
        assert not connected

    run(scenario)


def test_a_supervisor_allowed_origin_may_embed_the_customer_widget_but_never_the_agent_inbox(
    service_desk, tina
):  # noqa: ANN001
    ChatSettings.objects.update_or_create(pk=1, defaults={"allowed_origins": "https://shop.example\n"})
    cookie = session_cookie(tina)

    async def scenario():  # noqa: ANN202
        comm = communicator(origin=b"https://shop.example")
        connected, _code = await comm.connect()
        assert connected
        await comm.disconnect()
        agent = communicator("/ws/chat/agent/", origin=b"https://shop.example", cookie=cookie)
        connected, _code = await agent.connect()
        assert not connected

    run(scenario)


def test_an_anonymous_visitor_starts_a_chat_that_is_a_ticket_of_channel_chat(service_desk):  # noqa: ANN001
    ChatSettings.objects.update_or_create(pk=1, defaults={"bot_enabled": False})

    async def scenario():  # noqa: ANN202
        comm = communicator()
        joined = await _start(comm)
        await comm.disconnect()
        return joined

    joined = run(scenario)
    chat = Chat.objects.get(pk=joined["chat"]["id"])
    assert joined["token"] == chat.token
    assert chat.ticket.channel == Ticket.Channel.CHAT
    assert chat.ticket.tier == 1
    assert chat.ticket.team == service_desk
    assert chat.customer.email == "alice.visitor@example.com"
    assert chat.state == Chat.State.WAITING_AGENT


def test_a_guessed_chat_id_is_refused(service_desk):  # noqa: ANN001
    async def scenario():  # noqa: ANN202
        owner = communicator()
        joined = await _start(owner)
        intruder = communicator()
        await intruder.connect()
        await intruder.send_json_to(
            {"type": "resume", "chat": joined["chat"]["id"], "token": "guess", "after": 0}
        )
        frame = await intruder.receive_json_from()
        assert frame["type"] == "error"
        assert frame["code"] == "forbidden"
        closed = await intruder.receive_output()
        assert closed == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
        # Nothing of the chat was sent before the refusal, and a message without joining is refused too.
        other = communicator()
        await other.connect()
        await other.send_json_to({"type": "message", "body": "hello", "client_id": "x1"})
        frame = await other.receive_json_from()
        assert frame["code"] == "not_joined"
        await owner.disconnect()
        await other.disconnect()

    run(scenario)
    assert not Message.objects.filter(body="hello").exists()


def test_an_oversized_message_is_refused_and_nothing_already_sent_is_lost(service_desk):  # noqa: ANN001
    ChatSettings.objects.update_or_create(pk=1, defaults={"bot_enabled": False})

    async def scenario():  # noqa: ANN202
        comm = communicator()
        await _start(comm)
        await comm.send_json_to({"type": "message", "body": "first line", "client_id": "c1"})
        ack, _ = await receive_until(comm, lambda f: f["type"] == "ack")
        await comm.send_json_to({"type": "message", "body": "x" * 5001, "client_id": "c2"})
        refusal, _ = await receive_until(comm, lambda f: f["type"] == "error")
        await comm.send_json_to({"type": "message", "body": "y" * 5000, "client_id": "c3"})
        ack3, _ = await receive_until(comm, lambda f: f["type"] == "ack" and f["client_id"] == "c3")
        await comm.disconnect()
        return ack, refusal

    ack, refusal = run(scenario)
    assert refusal["code"] == "too_long"
    assert refusal["client_id"] == "c2"
    assert "5000" in refusal["message"]
    bodies = list(Message.objects.filter(channel="chat", system=False).values_list("body", flat=True))
    assert bodies == ["first line", "y" * 5000]


def test_a_flood_is_refused_with_a_clear_message_and_the_accepted_lines_are_kept(service_desk, settings):  # noqa: ANN001
    ChatSettings.objects.update_or_create(pk=1, defaults={"bot_enabled": False})
    settings.CHAT_RATE_MESSAGES = 10
    settings.CHAT_RATE_SECONDS = 10

    async def scenario():  # noqa: ANN202
        comm = communicator()
        await _start(comm)  # the start frame counts too
        for i in range(12):
            await comm.send_json_to({"type": "message", "body": f"line {i}", "client_id": f"f{i}"})
        frames = []
        # A receive that times out cancels the application: count what must come instead.
        while sum(f["type"] in ("ack", "error") for f in frames) < 12:
            frames.append(await comm.receive_json_from(timeout=5))
        await comm.disconnect()
        return frames

    frames = run(scenario)
    refusals = [f for f in frames if f["type"] == "error"]
    acks = [f for f in frames if f["type"] == "ack"]
    assert len(acks) == 9  # 10 per window, one was the start
    assert [r["client_id"] for r in refusals] == ["f9", "f10", "f11"]
    assert refusals[0]["message"] == str(RATE_LIMITED)
    stored = list(ChatMessage.objects.filter(kind="customer").values_list("message__body", flat=True))
    assert stored == [f"line {i}" for i in range(9)]


def test_markup_is_stored_and_sent_as_text(service_desk):  # noqa: ANN001
    ChatSettings.objects.update_or_create(pk=1, defaults={"bot_enabled": False})
    evil = '<img src=x onerror="alert(1)"><b>bold</b>'

    async def scenario():  # noqa: ANN202
        comm = communicator()
        await _start(comm)
        await comm.send_json_to({"type": "message", "body": evil, "client_id": "m1"})
        echo, _ = await receive_until(comm, lambda f: f["type"] == "message" and f["kind"] == "customer")
        await comm.disconnect()
        return echo

    echo = run(scenario)
    assert echo["body"] == evil  # verbatim: the widget shows it with textContent, never as HTML
    assert Message.objects.get(pk=echo["id"]).body == evil


def test_reconnect_resumes_from_the_last_seen_message_and_a_resend_is_stored_once(service_desk, tina):  # noqa: ANN001
    ChatSettings.objects.update_or_create(pk=1, defaults={"bot_enabled": False})
    agent_available_set(agent=tina, available=True)
    cookie = session_cookie(tina)

    async def scenario():  # noqa: ANN202
        customer = communicator()
        joined = await _start(customer)
        chat_id, token = joined["chat"]["id"], joined["token"]
        await customer.send_json_to({"type": "message", "body": "my printer is broken", "client_id": "r1"})
        ack1, _ = await receive_until(customer, lambda f: f["type"] == "ack")
        await customer.disconnect()  # the network drops

        agent = communicator("/ws/chat/agent/", cookie=cookie)
        connected, _ = await agent.connect()
        assert connected
        hello = await agent.receive_json_from()
        assert [c["id"] for c in hello["waiting"]] == [chat_id]
        await agent.send_json_to({"type": "accept", "chat": chat_id})
        await receive_until(agent, lambda f: f["type"] == "state" and f["chat"]["state"] == "active")
        await agent.send_json_to(
            {"type": "message", "chat": chat_id, "body": "Hello, I am Tina", "client_id": "a1"}
        )
        await receive_until(agent, lambda f: f["type"] == "ack")

        back = communicator()
        await back.connect()
        await back.send_json_to({"type": "resume", "chat": chat_id, "token": token, "after": ack1["id"]})
        await receive_until(back, lambda f: f["type"] == "joined")
        missed = []
        while True:
            frame = await back.receive_json_from()
            missed.append(frame)
            if frame.get("body") == "Hello, I am Tina":
                break
        # The widget did not see its ack before the drop: it sends the line again, stored once.
        await back.send_json_to({"type": "message", "body": "my printer is broken", "client_id": "r1"})
        again, _ = await receive_until(back, lambda f: f["type"] == "ack")
        await back.disconnect()
        await agent.disconnect()
        return ack1, missed, again

    ack1, missed, again = run(scenario)
    assert all(m["id"] > ack1["id"] for m in missed)
    assert [m["kind"] for m in missed][-1] == "agent"
    assert any("Tina has joined" in m["body"] for m in missed)
    assert again["id"] == ack1["id"]
    assert Message.objects.filter(body="my printer is broken").count() == 1


def test_the_bot_answers_with_an_article_and_yes_ends_the_chat_as_a_deflection(service_desk, printer_article):  # noqa: ANN001
    from knowledgebase.models import Deflection

    async def scenario():  # noqa: ANN202
        comm = communicator()
        await _start(comm)
        await comm.send_json_to({"type": "message", "body": "paper jam in the printer", "client_id": "b1"})
        bot, _ = await receive_until(comm, lambda f: f["type"] == "message" and f["kind"] == "bot")
        await comm.send_json_to({"type": "solved", "yes": True})
        state, _ = await receive_until(comm, lambda f: f["type"] == "state" and f["chat"]["state"] == "ended")
        await comm.disconnect()
        return bot

    bot = run(scenario)
    assert bot["articles"][0]["title"] == "Printer shows paper jam"
    assert bot["ask_solved"] is True
    assert "Did this solve it?" in bot["body"]
    chat = Chat.objects.get()
    assert chat.end_reason == Chat.EndReason.DEFLECTED
    assert chat.ticket.status == Ticket.Status.RESOLVED
    deflection = Deflection.objects.get()
    assert deflection.article == printer_article
    assert deflection.session_key == f"chat:{chat.pk}"
    bot_message = Message.objects.get(pk=bot["id"])
    assert bot_message.system
    assert not bot_message.by_agent
    assert chat.ticket.first_response_at is None


def test_no_or_talk_to_a_person_hands_the_chat_to_tier_one(service_desk, printer_article, tina):  # noqa: ANN001
    agent_available_set(agent=tina, available=True)

    async def scenario():  # noqa: ANN202
        comm = communicator()
        await _start(comm)
        await comm.send_json_to({"type": "message", "body": "paper jam", "client_id": "n1"})
        await receive_until(comm, lambda f: f["type"] == "message" and f["kind"] == "bot")
        await comm.send_json_to({"type": "solved", "yes": False})
        state, _ = await receive_until(
            comm, lambda f: f["type"] == "state" and f["chat"]["state"] == "waiting_agent"
        )
        await comm.disconnect()

    run(scenario)
    assert Chat.objects.get().state == Chat.State.WAITING_AGENT


def test_an_agents_dropped_connection_returns_the_chat_to_the_queue_after_the_grace_period(
    service_desk, tina, settings
):  # noqa: ANN001
    ChatSettings.objects.update_or_create(pk=1, defaults={"bot_enabled": False})
    settings.CHAT_AGENT_GRACE_SECONDS = 0.5
    agent_available_set(agent=tina, available=True)
    cookie = session_cookie(tina)

    async def scenario():  # noqa: ANN202
        import asyncio

        customer = communicator()
        joined = await _start(customer)
        agent = communicator("/ws/chat/agent/", cookie=cookie)
        await agent.connect()
        await agent.receive_json_from()  # hello
        await agent.send_json_to({"type": "accept", "chat": joined["chat"]["id"]})
        await receive_until(customer, lambda f: f["type"] == "state" and f["chat"]["state"] == "active")
        await agent.disconnect()  # the agent's network drops
        state, _ = await receive_until(
            customer, lambda f: f["type"] == "state" and f["chat"]["state"] == "waiting_agent", timeout=5
        )
        await asyncio.sleep(0.1)
        await customer.disconnect()
        return state

    state = run(scenario)
    chat = Chat.objects.get()
    assert chat.state == Chat.State.WAITING_AGENT
    assert chat.agent is None
    assert state["chat"]["agent"] is None
    assert ChatMessage.objects.filter(message__body__contains="lost the connection").exists()


def test_an_agent_who_reconnects_within_the_grace_period_keeps_the_chat(service_desk, tina, settings):  # noqa: ANN001
    ChatSettings.objects.update_or_create(pk=1, defaults={"bot_enabled": False})
    settings.CHAT_AGENT_GRACE_SECONDS = 1.0
    agent_available_set(agent=tina, available=True)
    cookie = session_cookie(tina)

    async def scenario():  # noqa: ANN202
        import asyncio

        customer = communicator()
        joined = await _start(customer)
        agent = communicator("/ws/chat/agent/", cookie=cookie)
        await agent.connect()
        await agent.receive_json_from()
        await agent.send_json_to({"type": "accept", "chat": joined["chat"]["id"]})
        await receive_until(customer, lambda f: f["type"] == "state" and f["chat"]["state"] == "active")
        await agent.disconnect()
        again = communicator("/ws/chat/agent/", cookie=cookie)
        await again.connect()
        hello = await again.receive_json_from()
        await asyncio.sleep(1.5)
        await again.disconnect()
        await customer.disconnect()
        return hello

    hello = run(scenario)
    assert [c["id"] for c in hello["active"]] == [Chat.objects.get().pk]
    assert Chat.objects.get().state == Chat.State.ACTIVE


def test_too_many_chats_from_one_address_are_refused(service_desk, settings):  # noqa: ANN001
    from chat.consumers import TOO_MANY_STARTS

    settings.CHAT_STARTS_PER_ADDRESS_HOUR = 1

    async def scenario():  # noqa: ANN202
        first = communicator()
        await _start(first)
        second = communicator()
        await second.connect()
        await second.send_json_to(
            {"type": "start", "name": "Bot", "email": "bot@example.com", "language": "en"}
        )
        refusal = await second.receive_json_from()
        await first.disconnect()
        await second.disconnect()
        return refusal

    refusal = run(scenario)
    assert refusal["type"] == "error"
    assert refusal["message"] == str(TOO_MANY_STARTS)
    assert Chat.objects.count() == 1


def test_an_inbox_opening_more_chats_than_the_flood_limit_is_not_refused(service_desk, tina, settings):  # noqa: ANN001
    ChatSettings.objects.update_or_create(pk=1, defaults={"bot_enabled": False})
    settings.CHAT_RATE_MESSAGES = 3
    cookie = session_cookie(tina)

    async def scenario():  # noqa: ANN202
        customers = [communicator() for _ in range(5)]
        ids = [(await _start(c))["chat"]["id"] for c in customers]
        agent = communicator("/ws/chat/agent/", cookie=cookie)
        await agent.connect()
        await agent.receive_json_from()  # hello
        for chat_id in ids:  # as the inbox does when it (re)connects
            await agent.send_json_to({"type": "open", "chat": chat_id, "after": 0})
        frames = []
        while sum(f["type"] in ("state", "error") for f in frames) < len(ids):
            frames.append(await agent.receive_json_from(timeout=5))
        for c in [*customers, agent]:
            await c.disconnect()
        return frames

    frames = run(scenario)
    assert [f["type"] for f in frames if f["type"] in ("state", "error")] == ["state"] * 5
