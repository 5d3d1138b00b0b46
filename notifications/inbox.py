"""Agents' side of notifications: mentions, followers, preferences and the in-app list (writes).

How it hangs together (docs/notifications.md, "Mentions, followers, preferences"):

* ``agent_updates`` is called by ``services.notifications_for_event`` inside the change's transaction. It
  records the mentions of an internal note, makes the mentioned and the new assignee follow the ticket, and
  plans the mails and in-app items for mentioned agents and followers. ``services`` then applies each
  recipient's preferences (``preferences_for``) to these and to the older agent mails (assigned, SLA, …):
  in-app items are written here (``inapp_write``), mails go through the outbox as every other mail.
* Nobody is told about their own change; one event gives a person at most one in-app item and one mail
  (the direct reason — mentioned, assigned — wins over "you follow this ticket").
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from helpdesk.errors import ApplicationError
from tickets.events import in_event_batch
from tickets.models import Message, Ticket, TicketEvent
from tickets.selectors import ticket_get_for_user, ticket_visible_qs

from .mentions import mention_flatten, mention_ids
from .models import InAppNotification, Mention, Notification, NotificationPreference, TicketFollower, Topic

EventKind = TicketEvent.Kind
Kind = Notification.Kind

# (in-app, mail) without a row of the agent's own. Personal things both ways; team-wide mails as before
# (mail only: an in-app item per member of a 90-agent team for every new ticket would bury the rest);
# what happens on followed tickets in-app only, except the customer's reply, which wants an answer.
DEFAULTS: dict[str, tuple[bool, bool]] = {
    Topic.MENTIONED: (True, True),
    Topic.ASSIGNED: (True, True),
    Topic.NEW_IN_QUEUE: (False, True),
    Topic.ESCALATED: (False, True),
    Topic.SLA_WARNING: (True, True),
    Topic.SLA_BREACH: (False, True),
    Topic.CUSTOMER_REPLY: (True, True),
    Topic.AGENT_REPLY: (True, False),
    Topic.NOTE: (True, False),
    Topic.STATUS: (True, False),
    Topic.ASSIGNEE: (True, False),
    Topic.ESCALATION: (True, False),
    Topic.CHANGE: (False, False),
}
PREFERENCE_TOPICS = list(DEFAULTS)
UNKNOWN_TOPIC = gettext_noop("Unknown notification topic: %(topic)s")
ONLY_AGENTS_FOLLOW = gettext_noop("Only agents can follow tickets.")

# The agent mails of the outbox and the preference each one follows.
KIND_TOPIC = {
    Kind.ASSIGNED: Topic.ASSIGNED,
    Kind.NEW_IN_QUEUE: Topic.NEW_IN_QUEUE,
    Kind.ESCALATED: Topic.ESCALATED,
    Kind.SLA_WARNING: Topic.SLA_WARNING,
    Kind.SLA_BREACH: Topic.SLA_BREACH,
    Kind.MENTIONED: Topic.MENTIONED,
}

# Which followed-ticket topic an event is; events not listed (created, attachment, rating, consult, the
# SLA's due times, our own "sent" records, other apps' kinds) tell followers nothing. Nor do SLA warnings
# and breaches: they go to those responsible (assignee, team, supervisors), and looking up followers for
# each of the sweep's crossings cost it a query each (500 crossings: 0.4 s → 2 s on the bench).
_FOLLOWER_TOPICS = {
    EventKind.NOTE: Topic.NOTE,
    EventKind.STATUS: Topic.STATUS,
    EventKind.RESOLVED: Topic.STATUS,
    EventKind.REOPENED: Topic.STATUS,
    EventKind.CLOSED: Topic.STATUS,
    EventKind.ASSIGNEE: Topic.ASSIGNEE,
    EventKind.ESCALATED: Topic.ESCALATION,
    EventKind.ESCALATION_ACCEPTED: Topic.ESCALATION,
    EventKind.ESCALATION_DECLINED: Topic.ESCALATION,
    EventKind.DEESCALATED: Topic.ESCALATION,
    EventKind.PRIORITY: Topic.CHANGE,
    EventKind.IMPACT: Topic.CHANGE,
    EventKind.URGENCY: Topic.CHANGE,
    EventKind.TEAM: Topic.CHANGE,
    EventKind.TIER: Topic.CHANGE,
    EventKind.CATEGORY: Topic.CHANGE,
    EventKind.TAGS: Topic.CHANGE,
}
EXCERPT_CHARS = 280


@dataclass
class AgentPlan:
    """What ``agent_updates`` asks ``services`` to send: (kind, recipient, topic, context) per person."""

    items: list[tuple[str, User, str, dict[str, Any]]] = field(default_factory=list)


def can_see(*, user: Any, ticket: Ticket) -> bool:
    """Whether ``user`` may see ``ticket`` — always through the visibility selector (in a batch, one query
    per user for all of the batch's tickets)."""
    cached = _batch_now()
    if cached is None or ticket.pk not in cached.ticket_ids:
        return ticket_visible_qs(user=user).filter(pk=ticket.pk).exists()
    if user.pk not in cached.visible:
        visible = ticket_visible_qs(user=user).filter(pk__in=cached.ticket_ids).values_list("pk", flat=True)
        cached.visible[user.pk] = set(visible)
    return ticket.pk in cached.visible[user.pk]


def _is_agent_q() -> Q:
    return Q(is_active=True) & (Q(role__in=[User.Role.AGENT, User.Role.SUPERVISOR]) | Q(is_superuser=True))


# --- preferences ---------------------------------------------------------------------------------------


def preferences_for(*, user_ids: set[int]) -> dict[tuple[int, str], tuple[bool, bool]]:
    """The stored choices of these users, one query; ``preference()`` adds the defaults."""
    if not user_ids:
        return {}
    cached = _batch_now()
    if cached is not None and user_ids <= cached.prefs_of:
        return cached.prefs
    rows = NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "topic", "in_app", "mail"
    )
    prefs = {(uid, topic): (in_app, mail) for uid, topic, in_app, mail in rows}
    if cached is not None:  # read once a batch per user (what they choose cannot change inside it)
        cached.prefs.update(prefs)
        cached.prefs_of |= user_ids
    return prefs


def preference(
    prefs: dict[tuple[int, str], tuple[bool, bool]], user_id: int, topic: str
) -> tuple[bool, bool]:
    if topic == Topic.MENTION_UNDELIVERED:
        return True, False  # the author must hear that a mention reached nobody, in the list
    return prefs.get((user_id, topic), DEFAULTS.get(topic, (True, False)))


def notification_preferences_get(*, user: User) -> list[dict[str, Any]]:
    prefs = preferences_for(user_ids={user.pk})
    out = []
    for topic in PREFERENCE_TOPICS:
        in_app, mail = preference(prefs, user.pk, topic)
        out.append({"topic": str(topic), "label": Topic(topic).label, "in_app": in_app, "mail": mail})
    return out


@transaction.atomic
def notification_preferences_set(*, user: User, changes: dict[str, dict[str, bool]]) -> list[dict[str, Any]]:
    """Set ``{topic: {"in_app"?: bool, "mail"?: bool}}``; unknown topics are refused, nothing half-saved."""
    for topic in changes:
        if topic not in DEFAULTS:
            raise ApplicationError(_(UNKNOWN_TOPIC) % {"topic": topic}, field="topic")
    current = preferences_for(user_ids={user.pk})
    rows = []
    for topic, change in changes.items():
        in_app, mail = preference(current, user.pk, topic)
        rows.append(
            NotificationPreference(
                user=user, topic=topic, in_app=change.get("in_app", in_app), mail=change.get("mail", mail)
            )
        )
    NotificationPreference.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user", "topic"], update_fields=["in_app", "mail"]
    )
    return notification_preferences_get(user=user)


# --- followers -----------------------------------------------------------------------------------------


def ticket_follow(*, ticket: Ticket, user: User) -> TicketFollower:
    """Follow (again, after an unfollow): an agent who may see the ticket."""
    if not user.is_agent:
        raise ApplicationError(_(ONLY_AGENTS_FOLLOW), field="user")
    row, _created = TicketFollower.objects.update_or_create(
        ticket=ticket,
        user=user,
        defaults={"following": True, "updated_at": timezone.now()},
        create_defaults={"following": True, "reason": TicketFollower.Reason.MANUAL},
    )
    return row


def ticket_unfollow(*, ticket: Ticket, user: User) -> None:
    """Stop following; remembered, so being assigned or mentioned later does not undo it."""
    TicketFollower.objects.update_or_create(
        ticket=ticket,
        user=user,
        defaults={"following": False, "updated_at": timezone.now()},
        create_defaults={"following": False, "reason": TicketFollower.Reason.MANUAL},
    )


def _auto_follow(ticket: Ticket, users: list[User], reason: str) -> None:
    """Assigned and mentioned agents follow the ticket, unless they unfollowed it before (kept row)."""
    if not users:
        return
    if (cached := _batch_now()) is not None and ticket.pk in cached.followers:
        # A batch (a bulk assignment's chunk): the rows it knows of decide; new ones are written at its
        # end with one INSERT (``inapp_flush``), and the next events of the batch already see them.
        for user in users:
            if (ticket.pk, user.pk) in cached.known:
                continue
            cached.known.add((ticket.pk, user.pk))
            row = TicketFollower(ticket=ticket, user=user, reason=reason)
            cached.new_followers.append(row)
            cached.followers[ticket.pk].append(row)
        return
    TicketFollower.objects.bulk_create(
        [TicketFollower(ticket=ticket, user=u, reason=reason) for u in users], ignore_conflicts=True
    )
    if (cached := _batch_now()) is not None:
        # what the next event of the batch reads (the database row, unless the user unfollowed before)
        _followers_cache_load(cached.followers, [ticket.pk])


@dataclass
class _Batch:
    """What the events of one batch (a bulk action's chunk: ``tickets.events.in_event_batch``) read about
    its tickets, with one query each instead of one an event: their followers, which of them each
    follower may see, and the followers' preferences."""

    number: int
    ticket_ids: set[int]
    followers: dict[int, list[TicketFollower]] = field(default_factory=dict)
    visible: dict[int, set[int]] = field(default_factory=dict)  # user id → visible ticket ids
    prefs: dict[tuple[int, str], tuple[bool, bool]] = field(default_factory=dict)
    prefs_of: set[int] = field(default_factory=set)  # users whose preferences are in ``prefs``
    inapp: list[InAppNotification] = field(default_factory=list)  # written at the batch's end
    messages: dict[int, Message] = field(default_factory=dict)  # the notes and replies of its events
    known: set[tuple[int, int]] = field(default_factory=set)  # (ticket, user) of every follower row
    new_followers: list[TicketFollower] = field(default_factory=list)  # written at the batch's end


_batch: ContextVar[_Batch | None] = ContextVar("notifications_batch", default=None)


def followers_preload(*, batch: int, ticket_ids: set[int], message_ids: Any = ()) -> None:
    cached = _Batch(number=batch, ticket_ids=ticket_ids)
    _followers_cache_load(cached.followers, ticket_ids, known=cached.known)
    if message_ids:
        # the notes of a rule's batch (the time-rule sweep): read at once, not one an event (``_message``)
        cached.messages = {m.pk: m for m in _message_qs().filter(pk__in=list(message_ids))}
    _batch.set(cached)


def _followers_cache_load(
    cached: dict[int, list[TicketFollower]], ticket_ids: Any, known: set[tuple[int, int]] | None = None
) -> None:
    """The tickets' followers into ``cached``; with ``known``, every row's (ticket, user) as well, also of
    those who unfollowed (read in the same query)."""
    rows = TicketFollower.objects.filter(ticket_id__in=ticket_ids).select_related("user")
    if known is None:
        rows = rows.filter(following=True)
    for ticket_id in ticket_ids:
        cached[ticket_id] = []
    for row in rows.order_by("pk"):
        if known is not None:
            known.add((row.ticket_id, row.user_id))
        if row.following:
            cached[row.ticket_id].append(row)


def _batch_now() -> _Batch | None:
    batch, cached = in_event_batch(), _batch.get()
    return cached if batch and cached is not None and cached.number == batch else None


def _followers(ticket: Ticket, told: set[int]) -> list[User]:
    cached = _batch_now()
    if cached is not None and ticket.pk in cached.followers:
        return [f.user for f in cached.followers[ticket.pk] if f.user_id not in told]
    rows = TicketFollower.objects.filter(ticket=ticket, following=True).exclude(user_id__in=told)
    return [f.user for f in rows.select_related("user").order_by("pk")]


# --- planning (inside the change's transaction) --------------------------------------------------------


def _message_qs() -> Any:
    return Message.objects.only("ticket_id", "body", "internal", "by_agent", "author")


def _message(event: TicketEvent, ticket: Ticket) -> Message | None:
    pk = (event.data or {}).get("message")
    if not pk:
        return None
    cached = _batch_now()
    if cached is not None and pk in cached.messages:
        message = cached.messages[pk]
        return message if message.ticket_id == ticket.pk else None
    return _message_qs().filter(pk=pk, ticket=ticket).first()


def _follower_topic(event: TicketEvent, message: Message | None) -> str | None:
    if event.kind == EventKind.MESSAGE:
        if message is None or message.internal or (event.data or {}).get("system"):
            return None
        return Topic.AGENT_REPLY if message.by_agent else Topic.CUSTOMER_REPLY
    return _FOLLOWER_TOPICS.get(event.kind)


def _event_text(event: TicketEvent) -> str:
    from tickets.workspace import event_text  # the timeline's wording, in the language active at render

    return event_text(event)


_lazy_event_text = lazy(_event_text, str)


def _mentions(ticket: Ticket, event: TicketEvent, message: Message) -> list[User]:
    """Record the note's mentions; the agents to notify (those who may see the ticket)."""
    ids = mention_ids(message.body)
    if not ids:
        return []
    people = list(User.objects.filter(_is_agent_q(), pk__in=ids).order_by("pk"))
    visible = [u for u in people if can_see(user=u, ticket=ticket)]
    Mention.objects.bulk_create(
        [Mention(message=message, ticket=ticket, user=u, notified=u in visible) for u in people],
        ignore_conflicts=True,
    )
    hidden = [u for u in people if u not in visible]
    if hidden and event.actor_id:
        # The author is told in their list (and the note shows it next to the name).
        names = ", ".join(u.get_full_name() or u.username for u in hidden)
        inapp_write(ticket=ticket, event=event, items=[(event.actor, Topic.MENTION_UNDELIVERED, names)])
    return [u for u in visible if u.pk != event.actor_id]


def _flatten_public(message: Message) -> None:
    """A mention in a public reply notifies nobody (mentions are for colleagues, in notes): the reply is
    stored with plain names, so the customer reads the name as typed, never the internal reference."""
    Message.objects.filter(pk=message.pk).update(body=mention_flatten(message.body))


def mentions_record(*, ticket: Ticket, event: TicketEvent) -> None:
    """The record without the news (history being replayed): mentions of a note, plain names in a public
    reply; nobody is told and nobody starts following."""
    if event.kind not in (EventKind.NOTE, EventKind.MESSAGE):
        return
    message = _message(event, ticket)
    if message is None or "@[" not in message.body:
        return
    if not message.internal:
        _flatten_public(message)
        return
    people = User.objects.filter(_is_agent_q(), pk__in=mention_ids(message.body))
    Mention.objects.bulk_create(
        [
            Mention(message=message, ticket=ticket, user=u, notified=can_see(user=u, ticket=ticket))
            for u in people
        ],
        ignore_conflicts=True,
    )


def agent_updates(*, ticket: Ticket, event: TicketEvent, direct: set[int]) -> AgentPlan:
    """Mentions and followers of one event. ``direct``: agents the event already reaches otherwise
    (the new assignee, an SLA mail), who get that instead of a follower update."""
    plan = AgentPlan()
    kind = event.kind
    message = _message(event, ticket) if kind in (EventKind.NOTE, EventKind.MESSAGE) else None
    excerpt = mention_flatten(message.body)[:EXCERPT_CHARS] if message else ""
    told = set(direct) | ({event.actor_id} if event.actor_id else set())
    if kind == EventKind.MESSAGE and message is not None and not message.internal and "@[" in message.body:
        _flatten_public(message)
    if kind == EventKind.NOTE and message is not None:
        mentioned = _mentions(ticket, event, message)
        _auto_follow(ticket, mentioned, TicketFollower.Reason.MENTIONED)
        ctx = {"excerpt": excerpt, "note_text": mention_flatten(message.body)}
        for user in mentioned:
            plan.items.append((Kind.MENTIONED, user, Topic.MENTIONED, ctx))
            told.add(user.pk)
    if kind == EventKind.ASSIGNEE and ticket.assignee_id and event.new_value:
        _auto_follow(ticket, [ticket.assignee], TicketFollower.Reason.ASSIGNED)
    topic = _follower_topic(event, message)
    if topic is None:
        return plan
    followers = _followers(ticket, told)
    ctx = {"excerpt": excerpt, "what": _lazy_event_text(event), "topic_label": Topic(topic).label}
    for user in followers:
        if user.is_active and user.is_agent and can_see(user=user, ticket=ticket):
            plan.items.append((Kind.FOLLOWED, user, topic, ctx))
    return plan


# --- the in-app list -----------------------------------------------------------------------------------


def inapp_write(*, ticket: Ticket, event: TicketEvent, items: list[tuple[User, str, str]]) -> None:
    """(recipient, topic, excerpt) items for one event; the first per recipient wins, repeats are ignored."""
    if not items:
        return
    now = timezone.now()
    rows = [
        InAppNotification(
            recipient=user,
            ticket=ticket,
            event=event,
            topic=topic,
            actor_id=event.actor_id,
            excerpt=excerpt[:300],
            created_at=now,
        )
        for user, topic, excerpt in items
    ]
    if (cached := _batch_now()) is not None:
        cached.inapp.extend(rows)  # a bulk action's chunk: one INSERT at its end (inapp_flush)
    else:
        InAppNotification.objects.bulk_create(rows, ignore_conflicts=True)


def inapp_flush(*, batch: int) -> None:
    """The in-app items of a batch's events (``inapp_write`` inside it), written with one INSERT."""
    cached = _batch.get()
    _batch.set(None)
    if cached is None or cached.number != batch:
        return
    if cached.new_followers:  # the batch's automatic follows (``_auto_follow``), one INSERT
        TicketFollower.objects.bulk_create(cached.new_followers, ignore_conflicts=True)
    if cached.inapp:
        InAppNotification.objects.bulk_create(cached.inapp, ignore_conflicts=True)


def inapp_open(*, user: User, pk: int) -> Ticket:
    """The ticket of one of the user's items, which is marked read; 404 for someone else's item or a
    ticket the user may no longer see (then nothing changes)."""
    item = InAppNotification.objects.filter(pk=pk, recipient=user).first()
    if item is None:
        raise Http404
    ticket = ticket_get_for_user(user=user, pk=item.ticket_id)
    inapp_mark_read(user=user, ids=[item.pk])
    return ticket


def inapp_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's items read (all unread ones when ``ids`` is None); returns how many changed.
    Someone else's ids change nothing."""
    qs = InAppNotification.objects.filter(recipient=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
