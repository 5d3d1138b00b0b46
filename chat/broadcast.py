"""Who hears what: channel-layer groups, and sending to them only after the write has committed.

A message reaches a screen only once it is in PostgreSQL: every service calls ``send_on_commit``, so a
rolled-back write is never shown, and a client that missed a broadcast gets the message again from the
database when it resumes (``chat.selectors.messages_after``).
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def chat_group(chat_id: int) -> str:
    """Everybody in one chat: the customer's connections and the agents who opened it."""
    return f"chat.{chat_id}"


def team_group(team_id: int | None) -> str:
    """The chat inbox of one team's agents: chats waiting, taken, ended."""
    return f"chat.team.{team_id or 0}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, {"type": "chat.event", "event": event})


def send_on_commit(group: str, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: _send(group, event))
