"""Writes on chats. The consumers (WebSocket) and views call these; nothing else changes a chat.

A chat is a ticket of channel ``chat``: customer and agent lines go through ``tickets.services.message_add``
(so first response, follow-ups and the audit trail count them like any channel); the bot's and the
helpdesk's own lines are system messages, which count as neither (as escalation's customer update).
Each service writes first and broadcasts after commit (``chat.broadcast``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team, User
from accounts.services import customer_create_by_agent
from helpdesk.errors import ApplicationError, ConflictError
from knowledgebase.search import search
from knowledgebase.selectors import article_published_qs
from knowledgebase.services import deflection_record
from tickets import services as core
from tickets.events import event_record
from tickets.models import Message, Ticket, TicketEvent

from .broadcast import chat_group, send_on_commit, team_group
from .models import (
    DEFAULT_MAX_CHATS_PER_AGENT,
    AgentChatStatus,
    Chat,
    ChatMessage,
    ChatSettings,
    TeamChatSettings,
)
from .payloads import chat_payload, message_payload

State = Chat.State
Kind = ChatMessage.Kind

# Error texts (tests assert on them). Shown to the customer or agent as they are.
MESSAGE_TOO_LONG = gettext_lazy(
    "The message is longer than %(max)s characters. Shorten it and send it again."
)
MESSAGE_EMPTY = gettext_lazy("Write a message.")
CHAT_ENDED = gettext_lazy("This chat has ended.")
CHAT_TAKEN = gettext_lazy("Another agent has already taken this chat.")
AGENT_FULL = gettext_lazy("You already have as many chats as your team allows.")
NOT_IN_TEAM = gettext_lazy("This chat is for another team.")
NAME_REQUIRED = gettext_lazy("Tell us your name.")
SUPERVISORS_ONLY = gettext_lazy("Only supervisors change the chat settings.")
EMAIL_INVALID = gettext_lazy("Enter a valid email address, so that we can answer you.")
AGENT_EMAIL = gettext_lazy("Agents sign in to chat with customers.")

# Lines the helpdesk writes into the chat, in the customer's language.
BOT_INTRO = gettext_lazy("These articles may answer your question:")
BOT_QUESTION = gettext_lazy("Did this solve it?")
BOT_NOTHING = gettext_lazy("I found no article for this. I will hand you to a person.")
WAITING_FOR_AGENT = gettext_lazy("A person from the service desk will be with you shortly.")
NO_AGENT = gettext_lazy(
    "No one is available for chat right now. Write what you need: it stays with your request %(reference)s "
    "and we answer by email."
)
AGENT_JOINED = gettext_lazy("%(name)s has joined the chat.")
DEFLECTED = gettext_lazy("Glad it helped. The chat has ended.")
AGENT_LOST = gettext_lazy("Your agent lost the connection. The chat is back in the queue.")
CHAT_CLOSED = gettext_lazy("The chat has ended. Your request %(reference)s stays open until it is solved.")
RESOLVED_BY_BOT = "Answered by the answer bot with the article “%(title)s”."

BOT_ARTICLES = 3


# --- helpers --------------------------------------------------------------------------------------


def max_chats_for(team: Team | None) -> int:
    if team is None:
        return DEFAULT_MAX_CHATS_PER_AGENT
    row = TeamChatSettings.objects.filter(team=team).values_list("max_chats_per_agent", flat=True).first()
    return row if row is not None else DEFAULT_MAX_CHATS_PER_AGENT


def chat_lock(*, pk: int) -> Chat:
    """The chat row, locked until the transaction ends (accept, end and state changes race)."""
    return Chat.objects.select_for_update(of=("self",)).select_related("ticket", "team").get(pk=pk)


def _system_line(chat: Chat, text: Any, *, kind: str = Kind.SYSTEM, data: dict | None = None) -> Message:
    """A line of the helpdesk (or its bot): public, no author, neither a response nor a follow-up."""
    with translation.override(chat.language):
        body = str(text)
    message = Message.objects.create(
        ticket=chat.ticket,
        author=None,
        body=body,
        internal=False,
        by_agent=False,
        system=True,
        channel=Ticket.Channel.CHAT,
    )
    cm = ChatMessage.objects.create(chat=chat, message=message, kind=kind, data=data or {})
    event_record(
        ticket=chat.ticket,
        kind=TicketEvent.Kind.MESSAGE,
        actor=None,
        data={"message": message.pk, "system": True, "chat": kind, **(data or {})},
    )
    _broadcast_message(chat, cm)
    return message


def _broadcast_message(chat: Chat, cm: ChatMessage) -> None:
    payload = message_payload(cm, message=cm.message, open_question=True)
    send_on_commit(chat_group(chat.pk), payload)


def _broadcast_state(chat: Chat) -> None:
    payload = {"type": "state", "chat": chat_payload(chat)}
    send_on_commit(chat_group(chat.pk), payload)
    send_on_commit(team_group(chat.team_id), {"type": "queue", "chat": chat_payload(chat)})


def _customer_for(*, user: Any, name: str, email: str, language: str) -> User:
    if user is not None and getattr(user, "is_authenticated", False):
        if user.is_agent:
            raise ApplicationError(str(AGENT_EMAIL), field="email")
        return user
    name = " ".join((name or "").split())[:150]
    email = (email or "").strip().lower()[:254]
    if not name:
        raise ApplicationError(str(NAME_REQUIRED), field="name")
    try:
        validate_email(email)
    except Exception as exc:
        raise ApplicationError(str(EMAIL_INVALID), field="email") from exc
    # As mail intake does: the customer with this address, else a new one without a password. The
    # visitor proves nothing by typing an address, so the chat gives them no access beyond this chat.
    existing = User.objects.filter(email__iexact=email).order_by("id").first()
    if existing is not None:
        if existing.is_agent:
            raise ApplicationError(str(AGENT_EMAIL), field="email")
        return existing
    first, _sp, last = name.partition(" ")
    return customer_create_by_agent(email=email, first_name=first, last_name=last, language=language)


# --- the customer's side --------------------------------------------------------------------------


@transaction.atomic
def chat_start(*, user: Any = None, name: str = "", email: str = "", language: str = "en") -> Chat:
    """A new chat and its ticket (channel chat, tier 1, team by the usual route).

    Signed-in customers are known; anonymous visitors give a name and an email address."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    customer = _customer_for(user=user, name=name, email=email, language=language)
    with translation.override(language):
        subject = _("Live chat with %(name)s") % {"name": customer.get_full_name() or customer.email}
        description = _("Started in the chat widget.")
    ticket = core.ticket_create(
        requester=customer,
        subject=subject[:200],
        description=description,
        by=customer,
        channel=Ticket.Channel.CHAT,
        language=language,
        # The customer is in the chat: no "request received" mail (notifications read the event's data).
        event_data={"requester_present": True},
    )
    bot = ChatSettings.load().bot_enabled
    now = timezone.now()
    chat = Chat.objects.create(
        ticket=ticket,
        customer=customer,
        team=ticket.team,
        language=language,
        state=State.WAITING_BOT if bot else State.WAITING_AGENT,
        started_at=now,
        waiting_since=None if bot else now,
    )
    if not bot:
        _announce_waiting(chat)
    _broadcast_state(chat)
    return chat


@transaction.atomic
def chat_post_message(*, chat: Chat, by: Any, body: str, client_id: str = "") -> ChatMessage:
    """A line by the customer or the chat's agent: stored (as the ticket's message) before anyone sees it.

    ``client_id`` (the widget's id for the line) makes a resend after a reconnect harmless: the line
    already stored is returned, not written twice."""
    body = (body or "").strip()
    if len(body) > settings.CHAT_MAX_MESSAGE_CHARS:
        raise ApplicationError(str(MESSAGE_TOO_LONG) % {"max": settings.CHAT_MAX_MESSAGE_CHARS}, field="body")
    if not body:
        raise ApplicationError(str(MESSAGE_EMPTY), field="body")
    client_id = (client_id or "")[:64]
    chat = chat_lock(pk=chat.pk)
    if client_id:
        done = ChatMessage.objects.filter(chat=chat, client_id=client_id).select_related("message").first()
        if done is not None:
            return done
    if not chat.is_open:
        raise ConflictError(str(CHAT_ENDED))
    is_agent = bool(getattr(by, "is_agent", False))
    if is_agent and chat.agent_id != by.pk:
        raise ConflictError(str(CHAT_TAKEN))
    if not is_agent and chat.customer_id != by.pk:
        raise ConflictError(str(CHAT_ENDED))
    message = core.message_add(ticket=chat.ticket, author=by, body=body, channel=Ticket.Channel.CHAT)
    try:
        with transaction.atomic():
            cm = ChatMessage.objects.create(
                chat=chat,
                message=message,
                kind=Kind.AGENT if is_agent else Kind.CUSTOMER,
                client_id=client_id,
            )
    except IntegrityError:  # the same line, sent twice at once: keep the first
        transaction.set_rollback(True)
        return ChatMessage.objects.get(chat=chat, client_id=client_id)
    _broadcast_message(chat, cm)
    if not is_agent and chat.state == State.WAITING_BOT:
        bot_answer(chat=chat, question=body)
    return cm


def bot_answer(*, chat: Chat, question: str) -> list[int]:
    """The answer bot: the knowledge base's suggestion engine (published articles the customer may see,
    in the chat's language first), then "Did this solve it?". Nothing found: straight to a person.

    Call inside the transaction of the customer's line, with the chat locked."""
    customer = chat.customer if chat.customer_id else AnonymousUser()
    hits = search(
        qs=article_published_qs(user=customer), query=question, language=chat.language, limit=BOT_ARTICLES
    )
    if not hits:
        _system_line(chat, BOT_NOTHING, kind=Kind.BOT)
        chat_request_agent(chat=chat)
        return []
    articles = [
        {"id": h.article.pk, "title": h.article.title, "url": h.article.get_absolute_url()} for h in hits
    ]
    chat.bot_articles = [a["id"] for a in articles]
    chat.bot_query = question[:400]
    chat.save(update_fields=["bot_articles", "bot_query"])
    with translation.override(chat.language):
        lines = [str(BOT_INTRO), *[f"• {a['title']} ({a['url']})" for a in articles], "", str(BOT_QUESTION)]
    _system_line(chat, "\n".join(lines), kind=Kind.BOT, data={"articles": articles, "ask_solved": True})
    return chat.bot_articles


@transaction.atomic
def chat_bot_feedback(*, chat: Chat, by: Any, solved: bool) -> Chat:
    """ "Did this solve it?" Yes: a deflection counted like the portal's (a ``Deflection`` row for the
    first article offered), the ticket resolved by the bot, the chat ended. No: to a person at tier 1."""
    chat = chat_lock(pk=chat.pk)
    if chat.customer_id != getattr(by, "pk", None) or chat.state != State.WAITING_BOT:
        return chat
    if not solved or not chat.bot_articles:
        return chat_request_agent(chat=chat)
    article = article_published_qs(user=chat.customer).filter(pk=chat.bot_articles[0]).first()
    if article is None:
        return chat_request_agent(chat=chat)
    deflection_record(
        session_key=f"chat:{chat.pk}", user=chat.customer, article=article, query=chat.bot_query
    )
    _system_line(chat, DEFLECTED, kind=Kind.BOT)
    core.ticket_resolve(
        ticket=chat.ticket,
        by=None,
        resolution=RESOLVED_BY_BOT % {"title": article.title},
        article_id=article.pk,
    )
    return _end(chat, reason=Chat.EndReason.DEFLECTED, announce=False)


def chat_request_agent(*, chat: Chat) -> Chat:
    """ "Talk to a person" (or the bot could not help): the chat waits for a tier-1 agent of its team."""
    if chat.state not in (State.WAITING_BOT,):
        return chat
    chat.state = State.WAITING_AGENT
    chat.waiting_since = timezone.now()
    chat.save(update_fields=["state", "waiting_since"])
    _announce_waiting(chat)
    _broadcast_state(chat)
    return chat


@transaction.atomic
def chat_request_agent_by(*, chat: Chat, by: Any) -> Chat:
    chat = chat_lock(pk=chat.pk)
    if chat.customer_id != getattr(by, "pk", None):
        return chat
    return chat_request_agent(chat=chat)


def _announce_waiting(chat: Chat) -> None:
    if chat_offer(chat=chat) is None:
        _system_line(chat, NO_AGENT % {"reference": chat.ticket.reference})
    else:
        _system_line(chat, WAITING_FOR_AGENT)


# --- the agents' side -----------------------------------------------------------------------------


def chat_offer(*, chat: Chat) -> User | None:
    """The least loaded available agent of the chat's team who is under the team's cap, or None.

    The offer is a highlight in that agent's inbox (a visual alert, no sound); any available agent of
    the team may still accept first."""
    if chat.team is None:
        return None
    cap = max_chats_for(chat.team)
    loads = dict(
        Chat.objects.filter(state=State.ACTIVE, team=chat.team)
        .values_list("agent_id")
        .annotate(n=Count("pk"))
        .values_list("agent_id", "n")
    )
    candidates = [
        a
        for a in User.objects.filter(
            teams=chat.team,
            is_active=True,
            chat_status__available=True,
            chat_status__connections__gt=0,  # only an agent with the inbox open sees the offer
            role__in=(User.Role.AGENT, User.Role.SUPERVISOR),
        ).order_by("pk")
        if loads.get(a.pk, 0) < cap
    ]
    if not candidates:
        return None
    chosen = min(candidates, key=lambda a: (loads.get(a.pk, 0), a.pk))
    send_on_commit(team_group(chat.team_id), {"type": "offer", "chat": chat.pk, "agent": chosen.pk})
    return chosen


def agent_available_set(*, agent: User, available: bool) -> AgentChatStatus:
    status, _created = AgentChatStatus.objects.get_or_create(agent=agent)
    if status.available != available:
        status.available = available
        status.changed_at = timezone.now()
        status.save(update_fields=["available", "changed_at"])
    return status


def agent_may_take(*, agent: Any, chat: Chat) -> bool:
    if not getattr(agent, "is_agent", False):
        return False
    if agent.is_supervisor:
        return True
    return chat.team_id is not None and agent.teams.filter(pk=chat.team_id).exists()


@transaction.atomic
def chat_accept(*, chat: Chat, agent: User) -> Chat:
    """An agent takes a waiting chat: one agent only (row lock), within the team's cap."""
    chat = chat_lock(pk=chat.pk)
    if not agent_may_take(agent=agent, chat=chat):
        raise ApplicationError(str(NOT_IN_TEAM))
    if chat.state != State.WAITING_AGENT:
        raise ConflictError(str(CHAT_TAKEN) if chat.state == State.ACTIVE else str(CHAT_ENDED))
    active = Chat.objects.filter(state=State.ACTIVE, agent=agent).count()
    if active >= max_chats_for(chat.team):
        raise ConflictError(str(AGENT_FULL))
    chat.state = State.ACTIVE
    chat.agent = agent
    chat.accepted_at = timezone.now()
    chat.save(update_fields=["state", "agent", "accepted_at"])
    if chat.ticket.assignee_id != agent.pk:
        core.ticket_update(ticket=chat.ticket, by=agent, assignee=agent)
    _system_line(chat, AGENT_JOINED % {"name": agent.first_name or agent.get_full_name() or _("An agent")})
    _broadcast_state(chat)
    return chat


def _end(chat: Chat, *, reason: str, announce: bool = True) -> Chat:
    if not chat.is_open:
        return chat
    chat.state = State.ENDED
    chat.ended_at = timezone.now()
    chat.end_reason = reason
    chat.save(update_fields=["state", "ended_at", "end_reason"])
    if announce:
        _system_line(chat, CHAT_CLOSED % {"reference": chat.ticket.reference})
    _broadcast_state(chat)
    return chat


@transaction.atomic
def chat_end(*, chat: Chat, by: Any) -> Chat:
    """The customer or the chat's agent ends the chat; the ticket goes on as any ticket does."""
    chat = chat_lock(pk=chat.pk)
    if getattr(by, "is_agent", False):
        if chat.agent_id != by.pk and not by.is_supervisor:
            raise ConflictError(str(CHAT_TAKEN))
        return _end(chat, reason=Chat.EndReason.AGENT)
    if chat.customer_id != getattr(by, "pk", None):
        raise ConflictError(str(CHAT_ENDED))
    return _end(chat, reason=Chat.EndReason.CUSTOMER)


# --- an agent's dropped connection ---------------------------------------------------------------


def agent_connected(*, agent: User) -> None:
    AgentChatStatus.objects.get_or_create(agent=agent)
    AgentChatStatus.objects.filter(agent=agent).update(connections=F("connections") + 1, disconnected_at=None)


def agent_disconnected(*, agent: User) -> bool:
    """One inbox connection closed; True when it was the agent's last one."""
    with transaction.atomic():
        status = AgentChatStatus.objects.select_for_update().filter(agent=agent).first()
        if status is None:
            return False
        status.connections = max(status.connections - 1, 0)
        if status.connections == 0:
            status.disconnected_at = timezone.now()
        status.save(update_fields=["connections", "disconnected_at"])
        return status.connections == 0


@transaction.atomic
def chats_requeue_if_agent_gone(*, agent: User, grace_seconds: float) -> list[int]:
    """The agent has had no inbox connection for ``grace_seconds``: their active chats wait again for
    tier 1 (oldest first in the queue again, offered anew). Safe to run twice: the second finds none."""
    status = AgentChatStatus.objects.select_for_update().filter(agent=agent).first()
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    if (
        status is None
        or status.connections > 0
        or not status.disconnected_at
        or status.disconnected_at > cutoff
    ):
        return []
    requeued = []
    for chat in (
        Chat.objects.select_for_update(of=("self",))
        .select_related("ticket", "team")
        .filter(state=State.ACTIVE, agent=agent)
        .order_by("pk")
    ):
        chat.state = State.WAITING_AGENT
        chat.agent = None
        chat.waiting_since = timezone.now()
        chat.save(update_fields=["state", "agent", "waiting_since"])
        _system_line(chat, AGENT_LOST)
        chat_offer(chat=chat)
        _broadcast_state(chat)
        requeued.append(chat.pk)
    return requeued


# --- supervisors' settings ---------------------------------------------------------------------------


def chat_settings_update(*, by: Any, bot_enabled: bool, allowed_origins: str) -> ChatSettings:
    if not getattr(by, "is_supervisor", False):
        raise ApplicationError(str(SUPERVISORS_ONLY))
    row = ChatSettings.load()
    row.bot_enabled = bot_enabled
    row.allowed_origins = allowed_origins
    row.save(update_fields=["bot_enabled", "allowed_origins"])
    return row


def team_chat_cap_set(*, by: Any, team: Team, max_chats_per_agent: int) -> TeamChatSettings:
    if not getattr(by, "is_supervisor", False):
        raise ApplicationError(str(SUPERVISORS_ONLY))
    row, _created = TeamChatSettings.objects.update_or_create(
        team=team, defaults={"max_chats_per_agent": max_chats_per_agent}
    )
    return row
