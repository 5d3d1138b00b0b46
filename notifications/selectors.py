"""Reads of the notifications app."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from tickets.models import Ticket
from tickets.selectors import ticket_visible_qs
from tickets.workspace import event_display_names, event_text

from .inbox import can_see
from .models import InAppNotification, Notification, TicketFollower, Topic

PANEL_LIMIT = 50


def notification_list_for_ticket(*, user: Any, ticket: Ticket) -> QuerySet[Notification]:
    """Delivery status of a ticket's notifications: agents only (addresses are contact data)."""
    if not (user and user.is_authenticated and user.is_agent):
        return Notification.objects.none()
    return (
        Notification.objects.filter(ticket=ticket)
        .select_related("recipient")
        .defer("body_text", "body_html")  # the panel and the API never show bodies
        .order_by("-id")
    )


def delivery_panel_context(request: Any, ticket: Ticket) -> dict | None:
    """Context of the agent ticket page's side panel; None (hidden) for anyone but agents."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_agent):
        return None
    return {"notifications": list(notification_list_for_ticket(user=user, ticket=ticket)[:PANEL_LIMIT])}


# --- agents: the in-app list, followers, mention suggestions -------------------------------------------

INBOX_PAGE = 50
INBOX_ORDER = ("-created_at", "-id")  # the index inapp_recipient
MENTION_SUGGESTIONS = 8
UNREAD_SHOWN_MAX = 99  # the badge says "99+" beyond


def inapp_unread_count(*, user: Any) -> int:
    """Unread items of the top bar's badge: one COUNT over the partial index of unread rows."""
    if not (user and user.is_authenticated and user.is_agent):
        return 0
    return InAppNotification.objects.filter(recipient=user, read_at=None).count()


# How an item reads in the list, by topic; follower updates read as the timeline's line for the event.
_TOPIC_TEXT = {
    Topic.MENTIONED: gettext_lazy("%(actor)s mentioned you in an internal note"),
    Topic.MENTION_UNDELIVERED: gettext_lazy("Not notified, they cannot see this ticket: %(excerpt)s"),
    Topic.ASSIGNED: gettext_lazy("%(actor)s assigned the ticket to you"),
    Topic.NEW_IN_QUEUE: gettext_lazy("New in your team's queue"),
    Topic.ESCALATED: gettext_lazy("Escalated to your team"),
    Topic.SLA_WARNING: gettext_lazy("SLA warning"),
    Topic.SLA_BREACH: gettext_lazy("SLA breached"),
}


def inapp_list(*, user: Any, unread_only: bool = False, before: int | None = None) -> list[InAppNotification]:
    """The user's newest items (a page, keyset by time and id; ``before`` is the last item's id), each with
    ``text``; items on tickets the user may no longer see are left out (``inapp_shown``)."""
    if not (user and user.is_authenticated and user.is_agent):
        return []
    qs = InAppNotification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at=None)
    if before:
        at = qs.filter(pk=before).values_list("created_at", flat=True).first()
        if at is not None:
            qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=before))
    items = list(
        qs.select_related("ticket", "actor", "event", "event__actor").order_by(*INBOX_ORDER)[: INBOX_PAGE + 1]
    )
    return inapp_shown(user=user, items=items)


def inapp_shown(*, user: Any, items: list[InAppNotification]) -> list[InAppNotification]:
    """The items whose tickets the user may still see (the visibility selector, one query for the page's
    tickets), described (``inapp_describe``)."""
    ids = {i.ticket_id for i in items}
    visible = set(ticket_visible_qs(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    return inapp_describe([i for i in items if i.ticket_id in visible])


def inapp_describe(items: list[InAppNotification]) -> list[InAppNotification]:
    """Sets ``text`` and ``topic_label`` of each item, in the active language (items loaded with their
    event, its actor and the item's actor; one query for the names assignee events mention)."""
    names = event_display_names(i.event for i in items)
    for item in items:
        actor = item.actor.get_full_name() or item.actor.username if item.actor else _("System")
        template = _TOPIC_TEXT.get(item.topic)
        if item.topic == Topic.ASSIGNED and not item.actor_id:
            item.text = _("The ticket was assigned to you")
        elif template is not None:
            item.text = str(template) % {"actor": actor, "excerpt": item.excerpt}
        else:
            item.text = f"{actor}: {event_text(item.event, names)}"
        item.topic_label = Topic(item.topic).label
    return items


def ticket_followers(*, ticket: Ticket) -> list[TicketFollower]:
    return list(
        TicketFollower.objects.filter(ticket=ticket, following=True)
        .select_related("user")
        .order_by("created_at")
    )


def follow_panel_context(request: Any, ticket: Ticket) -> dict | None:
    """The Follow button (actions) and the followers (side panel) of the agent ticket page: one query,
    shared by both panels of one page."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_agent):
        return None
    cache = request.__dict__.setdefault("_ticket_followers", {})
    if ticket.pk not in cache:
        cache[ticket.pk] = ticket_followers(ticket=ticket)
    followers = cache[ticket.pk]
    return {
        "ticket": ticket,
        "followers": followers,
        "following": any(f.user_id == user.pk for f in followers),
    }


def mentions_panel_context(request: Any, ticket: Ticket) -> dict | None:
    """The note box's @-autocomplete: agents only (it lists colleagues)."""
    user = getattr(request, "user", None)
    return {"ticket": ticket} if user and user.is_authenticated and user.is_agent else None


def followers_side_context(request: Any, ticket: Ticket) -> dict | None:
    ctx = follow_panel_context(request, ticket)
    return ctx if ctx and ctx["followers"] else None


def mention_suggestions(*, user: Any, ticket: Ticket, q: str) -> list[dict[str, Any]]:
    """Agents and supervisors to mention, whose first name, last name, full name or username starts with
    ``q`` (case-insensitive), by name; each says whether they may see the ticket (the visibility selector)."""
    from .mentions import token

    q = " ".join(q.split())[:100]
    match = Q()
    if q:
        match = (
            Q(first_name__istartswith=q)
            | Q(last_name__istartswith=q)
            | Q(username__istartswith=q)
            | Q(full__istartswith=q)
        )
    people = (
        User.objects.filter(Q(role__in=[User.Role.AGENT, User.Role.SUPERVISOR]) | Q(is_superuser=True))
        .filter(is_active=True)
        .annotate(full=Concat("first_name", Value(" "), "last_name"))
        .filter(match)
        .order_by("first_name", "last_name", "username")
        .only("username", "first_name", "last_name", "role", "is_superuser", "is_active")[
            :MENTION_SUGGESTIONS
        ]
    )
    out = []
    for person in people:
        out.append(
            {
                "id": person.pk,
                "name": person.get_full_name() or person.username,
                "token": token(user=person),
                "can_see": can_see(user=person, ticket=ticket),
                "is_me": person.pk == user.pk,
            }
        )
    return out
