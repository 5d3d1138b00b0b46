"""Live chat: a chat IS a ticket of channel ``chat``; its transcript is the ticket's messages.

``Chat`` holds what only a live conversation has (state, the secret the widget proves itself with,
who accepted it and when); ``ChatMessage`` marks which of the ticket's messages were written in the
chat and by whom (the customer, an agent, the answer bot, the helpdesk itself).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(32)


class ChatSettings(models.Model):
    """The site's chat settings (one row, pk 1), set by supervisors."""

    bot_enabled = models.BooleanField(_("answer bot"), default=True)
    # One origin a line, e.g. "https://www.example.com": websites that may embed the widget. Our own
    # hosts (ALLOWED_HOSTS) are always allowed.
    allowed_origins = models.TextField(_("allowed origins"), blank=True)

    class Meta:
        verbose_name = _("chat settings")
        verbose_name_plural = _("chat settings")

    def __str__(self) -> str:
        return str(_("Chat settings"))

    @classmethod
    def load(cls) -> ChatSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def origins(self) -> set[str]:
        return {
            line.strip().rstrip("/").lower() for line in self.allowed_origins.splitlines() if line.strip()
        }


class TeamChatSettings(models.Model):
    """Per team: how many chats one agent takes at once."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="chat_settings")
    max_chats_per_agent = models.PositiveSmallIntegerField(_("concurrent chats per agent"), default=3)

    def __str__(self) -> str:
        return f"{self.team}: {self.max_chats_per_agent}"


DEFAULT_MAX_CHATS_PER_AGENT = 3


class AgentChatStatus(models.Model):
    """An agent's availability for chat (separate from ticket routing's ``User.available``)."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_status"
    )
    available = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    # Open inbox connections (all tabs, all ASGI processes) and when the last one closed: an agent whose
    # connection dropped gets their chats back in the queue after the grace period.
    connections = models.PositiveIntegerField(default=0)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.agent_id}: {'available' if self.available else 'away'}"


class Chat(models.Model):
    class State(models.TextChoices):
        WAITING_BOT = "waiting_bot", _("With the answer bot")
        WAITING_AGENT = "waiting_agent", _("Waiting for an agent")
        ACTIVE = "active", _("In conversation")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        DEFLECTED = "deflected", _("Solved by an article")
        CUSTOMER = "customer", _("Ended by the customer")
        AGENT = "agent", _("Ended by the agent")

    OPEN_STATES = (State.WAITING_BOT, State.WAITING_AGENT, State.ACTIVE)

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="chat")
    # The widget keeps it in its session and proves with it that this chat is its own; an id alone
    # never opens a chat.
    token = models.CharField(max_length=64, default=new_token, editable=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING_BOT, db_index=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("accounts.Team", null=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=8, default="en")
    # The articles the bot offered (ids, best first): "yes" records the deflection on the first.
    bot_articles = models.JSONField(default=list, blank=True)
    bot_query = models.CharField(max_length=400, blank=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(
                fields=["team", "waiting_since"],
                condition=models.Q(state="waiting_agent"),
                name="chat_waiting_queue",
            ),
            models.Index(fields=["agent"], condition=models.Q(state="active"), name="chat_active_agent"),
        ]

    def __str__(self) -> str:
        return f"chat {self.pk} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class ChatMessage(models.Model):
    """Which ticket message was written in the chat, by whom; ``client_id`` makes a resend harmless."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        AGENT = "agent", _("Agent")
        BOT = "bot", _("Answer bot")
        SYSTEM = "system", _("Service desk")

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="chat_messages")
    message = models.OneToOneField("tickets.Message", on_delete=models.CASCADE, related_name="chat_message")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    client_id = models.CharField(max_length=64, blank=True)
    # The bot's offer: {"articles": [{"id", "title", "url"}], "ask_solved": true}.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["message_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chat", "client_id"],
                condition=~models.Q(client_id=""),
                name="chat_message_client_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} in chat {self.chat_id}"
