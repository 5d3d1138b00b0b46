"""The chat's WebSocket endpoints: thin — parse a frame, check the connection's limits, call one service.

Protocol (JSON frames). Customer → server: ``start`` {name, email, language} or ``resume`` {chat, token,
after}; then ``message`` {body, client_id}, ``typing``, ``solved`` {yes}, ``person``, ``end``.
Agent → server: ``available`` {on}, ``open`` {chat, after}, ``accept`` {chat}, ``message`` {chat, body,
client_id}, ``typing`` {chat}, ``end`` {chat}. Server → client: ``joined``, ``message``, ``ack``,
``state``, ``queue``, ``offer``, ``typing``, ``error`` {code, message, client_id}.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk.errors import ApplicationError

from . import selectors, services
from .broadcast import chat_group, team_group
from .payloads import chat_payload

RATE_LIMITED = gettext_lazy("You are sending messages too fast. Wait a few seconds, then send again.")
FORBIDDEN = gettext_lazy("This chat cannot be opened.")
TOO_MANY_STARTS = gettext_lazy("Too many chats from your address. Try again later.")
NOT_JOINED = gettext_lazy("Start or resume a chat first.")
# WebSocket close code for "not yours" (4000–4999 are the application's own).
CLOSE_FORBIDDEN = 4403
# At most one typing signal per connection in this many seconds.
TYPING_INTERVAL = 1.0


class RateWindow:
    """At most ``limit`` events in any ``seconds``-long window (per connection)."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.times: deque[float] = deque()

    def allow(self) -> bool:
        now = time.monotonic()
        while self.times and now - self.times[0] >= self.seconds:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return False
        self.times.append(now)
        return True


def _client_address(scope: dict) -> str:
    client = scope.get("client") or ("unknown", 0)
    return str(client[0])


class ChatConsumerBase(AsyncJsonWebsocketConsumer):
    language = "en"
    unlimited: tuple[str, ...] = ("typing",)  # frame types the flood limit does not count

    async def connect(self) -> None:
        self.rate = RateWindow(settings.CHAT_RATE_MESSAGES, settings.CHAT_RATE_SECONDS)
        self.last_typing = 0.0
        self.groups_joined: set[str] = set()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def join(self, group: str) -> None:
        if group not in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.add(group)

    async def error(self, code: str, message: Any, **extra: Any) -> None:
        with translation.override(self.language):
            text = str(message)
        await self.send_json({"type": "error", "code": code, "message": text, **extra})

    def typing_allowed(self) -> bool:
        now = time.monotonic()
        if now - self.last_typing < TYPING_INTERVAL:
            return False
        self.last_typing = now
        return True

    async def chat_event(self, event: dict) -> None:
        """A broadcast of one of our groups: forwarded as it is (not our own typing)."""
        payload = event["event"]
        if payload.get("type") == "typing" and payload.get("sender") == self.channel_name:
            return
        await self.send_json({k: v for k, v in payload.items() if k != "sender"})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("bad_frame", _("Unknown message."))
            return
        kind = content["type"]
        if kind not in self.unlimited and not self.rate.allow():
            await self.error("rate_limited", RATE_LIMITED, client_id=content.get("client_id", ""))
            return
        try:
            with translation.override(self.language):
                await self.handle(kind, content)
        except ApplicationError as exc:
            await self.error(
                "refused", exc.message, field=exc.field or "", client_id=str(content.get("client_id", ""))
            )

    async def send_typing(self, chat_pk: int, who: str) -> None:
        """Tells the chat's other side that ``who`` is typing (at most once per interval; not echoed)."""
        if self.typing_allowed():
            await self.channel_layer.group_send(
                chat_group(chat_pk),
                {
                    "type": "chat.event",
                    "event": {"type": "typing", "chat": chat_pk, "who": who, "sender": self.channel_name},
                },
            )

    async def handle(self, kind: str, content: dict) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def too_long(self, body: Any) -> bool:
        return isinstance(body, str) and len(body.strip()) > settings.CHAT_MAX_MESSAGE_CHARS

    async def refuse_too_long(self, content: dict) -> None:
        await self.error(
            "too_long",
            str(services.MESSAGE_TOO_LONG) % {"max": settings.CHAT_MAX_MESSAGE_CHARS},
            client_id=str(content.get("client_id", "")),
        )


class CustomerChatConsumer(ChatConsumerBase):
    unlimited = ("typing",)
    """``/ws/chat/``: one customer in one chat, proven by the chat's secret token (never by its id)."""

    chat_id: int | None = None

    async def handle(self, kind: str, content: dict) -> None:
        if kind == "start":
            await self.start(content)
            return
        if kind == "resume":
            await self.resume(content)
            return
        if self.chat_id is None:
            await self.error("not_joined", NOT_JOINED)
            return
        chat = await self.load()
        if chat is None:
            await self.error("forbidden", FORBIDDEN)
            await self.close(code=CLOSE_FORBIDDEN)
            return
        user = chat.customer
        if kind == "message":
            if self.too_long(content.get("body")):
                await self.refuse_too_long(content)
                return
            cm = await database_sync_to_async(services.chat_post_message)(
                chat=chat,
                by=user,
                body=str(content.get("body", "")),
                client_id=str(content.get("client_id", "")),
            )
            await self.send_json({"type": "ack", "client_id": cm.client_id, "id": cm.message_id})
        elif kind == "typing":
            await self.send_typing(chat.pk, "customer")
        elif kind == "solved":
            await database_sync_to_async(services.chat_bot_feedback)(
                chat=chat, by=user, solved=bool(content.get("yes"))
            )
        elif kind == "person":
            await database_sync_to_async(services.chat_request_agent_by)(chat=chat, by=user)
        elif kind == "end":
            await database_sync_to_async(services.chat_end)(chat=chat, by=user)
        else:
            await self.error("bad_frame", _("Unknown message."))

    @database_sync_to_async
    def load(self) -> Any:
        from .models import Chat

        return Chat.objects.select_related("ticket", "customer", "agent").filter(pk=self.chat_id).first()

    @database_sync_to_async
    def _start(self, content: dict, address: str) -> Any:
        key = f"chat:starts:{address}"
        cache.add(key, 0, timeout=3600)
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1
        if count > settings.CHAT_STARTS_PER_ADDRESS_HOUR:
            raise ApplicationError(str(TOO_MANY_STARTS))
        user = self.scope.get("user")
        return services.chat_start(
            user=user if getattr(user, "is_authenticated", False) else None,
            name=str(content.get("name", "")),
            email=str(content.get("email", "")),
            language=str(content.get("language", "en"))[:8],
        )

    async def start(self, content: dict) -> None:
        if self.chat_id is not None:
            return
        self.language = str(content.get("language", "en"))[:2]
        with translation.override(self.language):
            chat = await self._start(content, _client_address(self.scope))
        await self.joined(chat, after=0)

    async def resume(self, content: dict) -> None:
        chat = await database_sync_to_async(selectors.chat_for_customer)(
            chat_id=content.get("chat"), token=content.get("token")
        )
        if chat is None:
            await self.error("forbidden", FORBIDDEN)
            await self.close(code=CLOSE_FORBIDDEN)
            return
        after = content.get("after") or 0
        await self.joined(chat, after=int(after) if str(after).isdigit() else 0)

    async def joined(self, chat: Any, *, after: int) -> None:
        self.chat_id = chat.pk
        self.language = chat.language
        await self.join(chat_group(chat.pk))
        payload = await database_sync_to_async(chat_payload)(chat)
        await self.send_json({"type": "joined", "chat": payload, "token": chat.token})
        # Joined the group first, then read: a line written in between arrives twice (the client
        # keeps one per id), never not at all.
        for message in await database_sync_to_async(selectors.messages_after)(chat=chat, after=after):
            await self.send_json(message)


class AgentChatConsumer(ChatConsumerBase):
    # An inbox (re)opens every chat it shows when it connects: an agent with more chats than the flood
    # limit's frames must not be refused for that; what they send is still limited.
    unlimited = ("typing", "open")
    """``/ws/chat/agent/``: a signed-in agent's inbox (their teams' queues) and the chats they opened."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_agent:
            await self.close(code=CLOSE_FORBIDDEN)  # before accept: the handshake is refused
            return
        self.user = user
        self.language = (user.language or settings.LANGUAGE_CODE)[:2]
        await super().connect()
        await database_sync_to_async(services.agent_connected)(agent=user)
        self.counted = True
        team_ids = await self._team_ids()
        for team_id in team_ids:
            await self.join(team_group(team_id))
        await self.send_json(await self._hello())

    counted = False

    async def disconnect(self, code: int) -> None:
        await super().disconnect(code)
        if not self.counted:
            return
        last = await database_sync_to_async(services.agent_disconnected)(agent=self.user)
        if last:
            # A task of this process: if it stops first (a restart), the chats simply stay with the agent,
            # who reconnects to another process.
            asyncio.ensure_future(self._requeue_later(self.user))

    @staticmethod
    async def _requeue_later(agent: Any) -> None:
        grace = settings.CHAT_AGENT_GRACE_SECONDS
        await asyncio.sleep(grace)
        await database_sync_to_async(services.chats_requeue_if_agent_gone)(agent=agent, grace_seconds=grace)

    @database_sync_to_async
    def _team_ids(self) -> list[int]:
        from accounts.models import Team

        if self.user.is_supervisor:
            return [0, *Team.objects.values_list("pk", flat=True)]
        return list(self.user.teams.values_list("pk", flat=True))

    @database_sync_to_async
    def _hello(self) -> dict:
        from .models import AgentChatStatus

        status = AgentChatStatus.objects.filter(agent=self.user).first()
        return {
            "type": "hello",
            "agent": self.user.pk,
            "available": bool(status and status.available),
            "waiting": [chat_payload(c) for c in selectors.waiting_chats(agent=self.user)[:100]],
            "active": [chat_payload(c) for c in selectors.agent_active_chats(agent=self.user)],
        }

    async def handle(self, kind: str, content: dict) -> None:
        if kind == "available":
            await database_sync_to_async(services.agent_available_set)(
                agent=self.user, available=bool(content.get("on"))
            )
            await self.send_json({"type": "available", "on": bool(content.get("on"))})
            return
        chat = await database_sync_to_async(selectors.chat_for_agent)(
            chat_id=content.get("chat"), agent=self.user
        )
        if chat is None:
            await self.error("forbidden", FORBIDDEN, chat=content.get("chat"))
            return
        if kind == "open":
            await self.join(chat_group(chat.pk))
            after = content.get("after") or 0
            payload = await database_sync_to_async(chat_payload)(chat)
            await self.send_json({"type": "state", "chat": payload})
            for message in await database_sync_to_async(selectors.messages_after)(
                chat=chat, after=int(after) if str(after).isdigit() else 0
            ):
                await self.send_json(message)
        elif kind == "accept":
            await self.join(chat_group(chat.pk))
            await database_sync_to_async(services.chat_accept)(chat=chat, agent=self.user)
        elif kind == "message":
            if self.too_long(content.get("body")):
                await self.refuse_too_long(content)
                return
            await self.join(chat_group(chat.pk))
            cm = await database_sync_to_async(services.chat_post_message)(
                chat=chat,
                by=self.user,
                body=str(content.get("body", "")),
                client_id=str(content.get("client_id", "")),
            )
            await self.send_json(
                {"type": "ack", "chat": chat.pk, "client_id": cm.client_id, "id": cm.message_id}
            )
        elif kind == "typing":
            await self.send_typing(chat.pk, "agent")
        elif kind == "end":
            await database_sync_to_async(services.chat_end)(chat=chat, by=self.user)
        else:
            await self.error("bad_frame", _("Unknown message."))
