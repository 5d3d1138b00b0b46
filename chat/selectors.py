"""Reads on chats."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Chat, ChatMessage
from .payloads import message_payload

# A resume sends at most this many lines at once (a chat longer than that is read on the ticket).
RESUME_LIMIT = 500


def chat_for_customer(*, chat_id: Any, token: Any) -> Chat | None:
    """The chat only with its secret: a guessed or foreign id is None, exactly like one that does not exist."""
    import hmac

    try:
        pk = int(chat_id)
    except (TypeError, ValueError):
        return None
    chat = Chat.objects.select_related("ticket", "customer", "agent").filter(pk=pk).first()
    if chat is None or not isinstance(token, str) or not hmac.compare_digest(chat.token, token):
        return None
    return chat


def chat_for_agent(*, chat_id: Any, agent: Any) -> Chat | None:
    """A chat an agent may open: of one of their teams (supervisors: any)."""
    try:
        pk = int(chat_id)
    except (TypeError, ValueError):
        return None
    qs = Chat.objects.select_related("ticket", "customer", "agent")
    if not agent.is_supervisor:
        qs = qs.filter(team__in=agent.teams.all())
    return qs.filter(pk=pk).first()


def messages_after(*, chat: Chat, after: int = 0) -> list[dict[str, Any]]:
    """The chat's lines after message id ``after``, oldest first: what a reconnecting client missed."""
    rows = (
        ChatMessage.objects.filter(chat=chat, message_id__gt=int(after or 0), message__internal=False)
        .select_related("message__author", "chat")
        .order_by("message_id")[:RESUME_LIMIT]
    )
    open_question = chat.state == Chat.State.WAITING_BOT
    return [message_payload(cm, message=cm.message, open_question=open_question) for cm in rows]


def waiting_chats(*, agent: Any) -> QuerySet[Chat]:
    """Chats waiting for a person, oldest first, of the agent's teams."""
    qs = Chat.objects.filter(state=Chat.State.WAITING_AGENT).select_related("ticket", "customer")
    if not agent.is_supervisor:
        qs = qs.filter(team__in=agent.teams.all())
    return qs.order_by("waiting_since", "pk")


def agent_active_chats(*, agent: Any) -> QuerySet[Chat]:
    return (
        Chat.objects.filter(state=Chat.State.ACTIVE, agent=agent)
        .select_related("ticket", "customer", "agent")
        .order_by("accepted_at")
    )
