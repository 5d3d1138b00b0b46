"""What a WebSocket client receives: plain JSON, text only (the client shows it with textContent)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from tickets.models import Message

from .models import Chat, ChatMessage


def author_name(cm: ChatMessage, message: Message, language: str) -> str:
    """Names as people are shown elsewhere: a first name (or full name), never a username."""
    with translation.override(language):
        if cm.kind == ChatMessage.Kind.BOT:
            return _("Answer bot")
        if cm.kind == ChatMessage.Kind.SYSTEM:
            return _("Service desk")
        user = message.author
        if user is None:
            return _("Customer") if cm.kind == ChatMessage.Kind.CUSTOMER else _("Agent")
        if cm.kind == ChatMessage.Kind.AGENT:
            return user.first_name or user.get_full_name() or _("Agent")
        return user.get_full_name() or user.first_name or _("Customer")


def message_payload(cm: ChatMessage, *, message: Message, open_question: bool) -> dict[str, Any]:
    """``open_question``: the bot's "Did this solve it?" may still be answered (the chat is with the bot)."""
    data = cm.data or {}
    return {
        "type": "message",
        "id": message.pk,
        "chat": cm.chat_id,
        "kind": cm.kind,
        "author": author_name(cm, message, cm.chat.language),
        "body": message.body,
        "at": message.created_at.isoformat(),
        "client_id": cm.client_id,
        "articles": data.get("articles", []),
        "ask_solved": bool(data.get("ask_solved")) and open_question,
    }


def chat_payload(chat: Chat) -> dict[str, Any]:
    customer = chat.customer
    return {
        "id": chat.pk,
        "state": chat.state,
        "state_label": str(Chat.State(chat.state).label),
        "reference": chat.ticket.reference,
        "ticket": chat.ticket_id,
        "customer": customer.get_full_name() or customer.email,
        "team": chat.team_id,
        "agent": chat.agent_id,
        "agent_name": (chat.agent.first_name or chat.agent.get_full_name()) if chat.agent_id else "",
        "language": chat.language,
        "started_at": chat.started_at.isoformat(),
        "waiting_since": chat.waiting_since.isoformat() if chat.waiting_since else None,
    }
