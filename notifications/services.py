"""Writes of the notifications app: outbox rows for ticket events, their delivery, survey ratings.

Delivery guarantee, chosen on purpose: **at-least-once**, made "exactly once" in every case but one.

* Rows are claimed with one conditional UPDATE (pending → sending, attempts + 1) that also sets a lease
  (``next_attempt_at`` = now + lease) and the claim's ``lease_token``. Only the claimer sends; a second task
  for the same row (a duplicate enqueue, the redispatch, a redelivered message after a worker was lost)
  finds nothing to claim. A send starts only with half the lease left, so it ends before a takeover.
* The claim commits *before* the SMTP conversation, the "sent" mark right after it. A worker killed before
  the server accepted the mail leaves a ``sending`` row whose lease runs out; the redispatch then hands it to
  another worker, which delivers it — once. Celery's ``acks_late`` + ``reject_on_worker_lost`` (settings)
  also redeliver the lost task message; whenever it arrives, the claim decides: leased or sent rows are
  skipped, an expired lease is taken over. The database row, not the broker message, is the source of truth.
* The one window for a duplicate: the worker dies after the SMTP server said 250 but before our UPDATE to
  ``sent`` committed (milliseconds). We accept that rather than at-most-once, because a customer who never
  hears that the request was solved is worse than one who hears it twice.
* A row is never sent again once ``sent``: the mark is conditional on (sending, this claim's token), and
  the claim never matches ``sent`` or ``failed`` rows.
"""

from __future__ import annotations

import logging
import re
import smtplib
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team, User
from tickets.events import event_record, in_event_batch
from tickets.models import Message, Rating, Ticket, TicketEvent
from tickets.services import rating_create

from . import inbox
from .mentions import mention_flatten
from .models import Notification, NotificationFanout
from .survey import survey_url
from .threading import reply_address

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Status = Notification.Status
EventKind = TicketEvent.Kind

CUSTOMER_KINDS = frozenset(
    {Kind.RECEIVED, Kind.REPLY, Kind.WAITING, Kind.RESOLVED, Kind.FORWARDED, Kind.REOPENED}
)
# What a customer who turned off ``email_updates`` still gets. Receipt, "waiting for you" and "solved" need
# the customer to know or act; a public reply is the agent *talking to* the customer (often a question),
# not a status update, so it is essential too. "Forwarded" and "reopened" are status news only.
ESSENTIAL_KINDS = frozenset({Kind.RECEIVED, Kind.REPLY, Kind.WAITING, Kind.RESOLVED})
# Mails the actor of the change still gets about their own change: the receipt confirms their request.
ACTOR_ALSO_GETS = frozenset({Kind.RECEIVED})

SUBJECTS = {
    Kind.RECEIVED: gettext_lazy("Your request has been received: %(subject)s"),
    Kind.REPLY: gettext_lazy("New reply to your request: %(subject)s"),
    Kind.WAITING: gettext_lazy("We need your reply: %(subject)s"),
    Kind.RESOLVED: gettext_lazy("Your request has been solved: %(subject)s"),
    Kind.FORWARDED: gettext_lazy("Your request has been forwarded to our specialists: %(subject)s"),
    Kind.REOPENED: gettext_lazy("Your request has been reopened: %(subject)s"),
    Kind.ASSIGNED: gettext_lazy("Assigned to you: %(subject)s"),
    Kind.NEW_IN_QUEUE: gettext_lazy("New in your team's queue: %(subject)s"),
    Kind.ESCALATED: gettext_lazy("Escalated to your team: %(subject)s"),
    Kind.SLA_WARNING: gettext_lazy("SLA warning: %(subject)s"),
    Kind.SLA_BREACH: gettext_lazy("SLA breached: %(subject)s"),
    Kind.MENTIONED: gettext_lazy("You were mentioned: %(subject)s"),
    Kind.FOLLOWED: gettext_lazy("Update on a ticket you follow: %(subject)s"),
}
SLA_TARGETS = {
    "first_response": gettext_lazy("first response"),
    "resolution": gettext_lazy("resolution"),
}

# Ids per delivery task: one SMTP connection serves the whole chunk; small enough that a chunk finishes
# well inside the task time limit even when every send waits for EMAIL_TIMEOUT.
DELIVERY_CHUNK = 25
# Rows one redispatch run re-enqueues (ids only, a few KB); a larger backlog drains over the next runs.
REDISPATCH_BATCH = 2000
# Events whose team mails one redispatch run expands itself: at ~100 members a team that is ~20,000 rows,
# rendered once per language each, well inside the task time limit; the rest waits for the next run.
FANOUT_REDISPATCH_BATCH = 200


# --- writing the outbox (inside the change's transaction) ---------------------------------------------


@dataclass
class _Planned:
    kind: str
    recipient: User
    context: dict[str, Any] = field(default_factory=dict)
    topic: str = ""  # the agent's preference this follows (``inbox.Topic``); empty: ``KIND_TOPIC[kind]``


@dataclass
class _TeamPlanned:
    """A mail to every member of a team: written as one ``NotificationFanout``, expanded by a worker."""

    kind: str
    team_id: int | None
    context: dict[str, Any] = field(default_factory=dict)


def _agents(qs: Any) -> list[User]:
    return list(
        qs.filter(is_active=True)
        .filter(Q(role__in=[User.Role.AGENT, User.Role.SUPERVISOR]) | Q(is_superuser=True))
        .exclude(email="")
        .order_by("pk")
        .distinct()
    )


def _team_members(team_id: int | None) -> list[User]:
    if not team_id:
        return []
    return _agents(User.objects.filter(teams=team_id))


def _supervisors() -> list[User]:
    return _agents(User.objects.filter(Q(role=User.Role.SUPERVISOR) | Q(is_superuser=True)))


def _plan(ticket: Ticket, event: TicketEvent) -> list[_Planned | _TeamPlanned]:
    """Who gets which mail for this event (before the actor and opt-out rules)."""
    requester = ticket.requester
    kind = event.kind
    data = event.data or {}
    if kind == EventKind.CREATED:
        team = _TeamPlanned(Kind.NEW_IN_QUEUE, ticket.team_id)
        # A channel whose customer is present as the ticket opens (a live chat) says so in the event:
        # the customer sees the conversation, a receipt mail would only repeat it.
        if data.get("requester_present"):
            return [team]
        return [_Planned(Kind.RECEIVED, requester), team]
    if kind == EventKind.MESSAGE:
        # Only public replies written by an agent. Internal notes have their own event kind (NOTE) and are
        # never looked at here; the filter on internal=False guards against a mislabelled event as well.
        message = (
            Message.objects.filter(pk=data.get("message"), ticket=ticket, internal=False, by_agent=True)
            .select_related("author")
            .first()
        )
        if message is None:
            return []
        author = message.author
        author_name = (
            (author.get_full_name() or author.username) if author else gettext_lazy("Our service desk")
        )
        # A mention in a public reply is plain text for the customer (inbox._flatten_public).
        body = mention_flatten(message.body)
        return [_Planned(Kind.REPLY, requester, {"message_body": body, "author_name": author_name})]
    if kind == EventKind.STATUS and event.new_value == Ticket.Status.PENDING:
        return [_Planned(Kind.WAITING, requester)]
    if kind == EventKind.RESOLVED:
        return [_Planned(Kind.RESOLVED, requester)]
    if kind == EventKind.REOPENED:
        return [_Planned(Kind.REOPENED, requester)]
    if kind == EventKind.ESCALATED:
        team_id = data.get("team") or ticket.team_id
        team = Team.objects.filter(pk=team_id).first() if team_id else None
        ctx = {"team_name": team.name if team else ""}
        return [_Planned(Kind.FORWARDED, requester, ctx), _TeamPlanned(Kind.ESCALATED, team_id, ctx)]
    if kind == EventKind.ASSIGNEE:
        if ticket.assignee_id and event.new_value:
            return [_Planned(Kind.ASSIGNED, ticket.assignee)]
        return []
    if kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACH):
        target = str(data.get("target", ""))
        due = ticket.first_response_due if target == "first_response" else ticket.resolution_due
        ctx = {"target_label": SLA_TARGETS.get(target, target or gettext_lazy("service level")), "due": due}
        if kind == EventKind.SLA_WARNING:
            people = [ticket.assignee] if ticket.assignee_id else _team_members(ticket.team_id)
            return [_Planned(Kind.SLA_WARNING, u, ctx) for u in people]
        people = _team_members(ticket.team_id) + _supervisors()
        return [_Planned(Kind.SLA_BREACH, u, ctx) for u in people]
    return []


def _allowed(p: _Planned, ticket: Ticket, event: TicketEvent) -> bool:
    user = p.recipient
    if user is None or not user.is_active or not user.email:
        return False
    if user.pk == event.actor_id and p.kind not in ACTOR_ALSO_GETS:
        return False  # nobody is told about their own change
    if p.kind in CUSTOMER_KINDS:
        return user.pk == ticket.requester_id and (user.email_updates or p.kind in ESSENTIAL_KINDS)
    return user.is_agent


def _language(user: User, ticket: Ticket) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for lang in (user.language, ticket.language if not user.is_agent else "", settings.LANGUAGE_CODE):
        if lang in codes:
            return lang
    return settings.LANGUAGE_CODE


def _base_url() -> str:
    return settings.HELPDESK_BASE_URL.rstrip("/")


def _ticket_url(ticket: Ticket, *, for_customer: bool) -> str:
    if for_customer:
        return f"{_base_url()}/portal/tickets/{ticket.reference}/"
    return f"{_base_url()}/agent/tickets/{ticket.pk}/"


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def notification_render(
    *,
    kind: str,
    ticket: Ticket,
    recipient: User,
    event: TicketEvent | None,
    context: dict | None = None,
    slots: bool = False,
) -> tuple[str, str, str, str]:
    """(language, subject, text, html) of one mail, in the recipient's language.

    ``slots``: the ticket's reference, subject and link are left as slots (``_fill_slots`` puts them
    in), so that one rendering serves the same mail about many tickets (``_BATCH_SLOT_KINDS``)."""
    language = _language(recipient, ticket)
    for_customer = kind in CUSTOMER_KINDS
    reference = _REF_SLOT if slots else ticket.reference
    ticket_subject = _SUBJECT_SLOT if slots else ticket.subject
    with translation.override(language):
        ctx: dict[str, Any] = {
            "ticket": ticket,
            "ticket_subject": ticket_subject,
            "reference": reference,
            "ticket_url": _URL_SLOT if slots else _ticket_url(ticket, for_customer=for_customer),
            "name": _display_name(recipient),
            "language": language,
            "team_name": ticket.team.name if ticket.team_id and ticket.team else "",
            "actor_name": "",
        }
        if event is not None and event.actor_id and event.actor:
            ctx["actor_name"] = event.actor.get_full_name() or event.actor.username
        if kind == Kind.RECEIVED:
            ctx["first_response_due"] = ticket.first_response_due
        if kind == Kind.RESOLVED:
            # The solution is public (the customer sees it on the request page too); notes never go here.
            ctx["resolution"] = ticket.resolution
            ctx["survey_links"] = [(s, survey_url(ticket_id=ticket.pk, score=s)) for s in range(1, 6)]
            ctx["reopen_days"] = settings.HELPDESK_REOPEN_WINDOW.days
        ctx.update(context or {})
        subject = f"[{reference}] " + str(SUBJECTS[kind]) % {"subject": ticket_subject}
        ctx["subject"] = subject
        # Template tags leave blank lines behind; a mail never needs more than one in a row.
        text = re.sub(r"\n{3,}", "\n\n", render_to_string(f"emails/{kind}.txt", ctx)).strip() + "\n"
        html = render_to_string(f"emails/{kind}.html", ctx)
    # Header injection is impossible (Django refuses newlines), but keep subjects on one line anyway.
    subject = " ".join(subject.split())[:300]
    return language, subject, text, html


def _display_name(user: User) -> str:
    return user.first_name or user.get_full_name() or user.username


# Stands in for the recipient's name while one mail is rendered for many recipients (letters only,
# so neither autoescaping nor the text filters touch it).
_NAME_SLOT = "HDRECIPIENTNAMESLOT"


# The ticket's own values while one mail is rendered for many tickets of a batch (letters only, as above).
_REF_SLOT = "HDTICKETREFERENCESLOT"
_SUBJECT_SLOT = "HDTICKETSUBJECTSLOT"
_URL_SLOT = "HDTICKETURLSLOT"
# Mails whose templates show nothing of the ticket but its reference, subject, link, priority, tier and
# team (and the actor's and recipient's names): in a batch of events (a bulk action's chunk) each is
# rendered once per kind, language and those values, and the ticket's own put into the slots.
_BATCH_SLOT_KINDS = frozenset({Kind.ASSIGNED, Kind.WAITING, Kind.REOPENED})
_batch_render_cache: ContextVar[tuple[int, dict] | None] = ContextVar(
    "notifications_batch_render", default=None
)


def _batch_render_key(p: _Planned, ticket: Ticket, event: TicketEvent) -> tuple | None:
    batch = in_event_batch()
    if not batch or p.kind not in _BATCH_SLOT_KINDS or p.context:
        return None
    team = ticket.team.name if ticket.team_id and ticket.team else ""
    return (batch, p.kind, _language(p.recipient, ticket), ticket.priority, ticket.tier, team, event.actor_id)


def _batch_rendered(batch: int) -> dict:
    cached = _batch_render_cache.get()
    if cached is None or cached[0] != batch:
        cached = (batch, {})
        _batch_render_cache.set(cached)
    return cached[1]


def _fill_slots(
    rendered: tuple[str, str, str, str], ticket: Ticket, *, for_customer: bool
) -> tuple[str, str, str, str]:
    """A mail rendered with ``slots`` made this ticket's: raw values in the text and subject, escaped in
    the HTML (as autoescaping would have put them)."""
    language, subject, text, html = rendered
    values = {
        _REF_SLOT: ticket.reference,
        _SUBJECT_SLOT: ticket.subject,
        _URL_SLOT: _ticket_url(ticket, for_customer=for_customer),
    }
    for slot, value in values.items():
        subject, text, html = (
            subject.replace(slot, value),
            text.replace(slot, value),
            html.replace(slot, escape(value)),
        )
    return language, " ".join(subject.split())[:300], text, html


def idempotency_key(*, event_id: int, kind: str, recipient_id: int) -> str:
    return f"{event_id}:{kind}:{recipient_id}"


def notifications_for_event(*, ticket: Ticket, event: TicketEvent) -> list[int]:
    """Write the outbox rows an event calls for, in the caller's transaction; return the pending ids.

    Runs inside the change's transaction (``tickets.events.event_recorded``), so the rows commit or roll
    back with the change. A mail to one person is a ``Notification`` row here; a mail to a whole team is
    one ``NotificationFanout`` row, which a worker expands into the members' rows after the commit
    (``notification_fanouts_expand``): a change no longer renders and inserts a row per member of a
    90-agent team. Delivery and expansion are enqueued only after the commit.
    """
    if event.kind == EventKind.NOTIFICATION:
        return []  # our own "sent" records: never a reason to send more
    planned = _plan(ticket, event)
    people = [p for p in planned if isinstance(p, _Planned) and _allowed(p, ticket, event)]
    teams = [p for p in planned if isinstance(p, _TeamPlanned) and p.team_id]
    if any(p.kind == Kind.RECEIVED for p in people) and ticket.first_response_due is None:
        # The sla receiver runs first and may have written the due time with an UPDATE on the row.
        ticket.first_response_due = (
            Ticket.objects.filter(pk=ticket.pk).values_list("first_response_due", flat=True).first()
        )
    # Mentions and followers (notifications.inbox): after the direct mails, which they give way to.
    direct = {p.recipient.pk for p in people if p.kind not in CUSTOMER_KINDS}
    updates = inbox.agent_updates(ticket=ticket, event=event, direct=direct)
    people += [
        p
        for kind, user, topic, ctx in updates.items
        if _allowed(p := _Planned(kind, user, ctx, topic), ticket, event)
    ]
    rows = _outbox_rows(_apply_preferences(people, ticket, event), ticket, event)
    if batch := in_event_batch():
        # A bulk action's chunk: written and enqueued once for the batch (notifications_for_batch).
        pending = _batch_pending(batch)
        pending[0].extend(rows)
        if teams:
            pending[1].append((event, teams))
        return []
    ids = _outbox_write(rows)
    _fanouts_write([(event, teams)])
    fanout_events = [event.pk] if teams else []
    if ids or fanout_events:
        # robust: the change is committed whatever happens to the broker; a row or fan-out that could not
        # be enqueued stays pending and the redispatch picks it up.
        transaction.on_commit(lambda: notification_enqueue(ids=ids, fanout_events=fanout_events), robust=True)
    return ids


# Rows and team mails of the events of one batch (``tickets.events.event_record_bulk``), written by
# ``notifications_for_batch`` when the batch's signals are done; kept with the batch's number, so what a
# batch that failed half-way (and was rolled back) left behind is never written by the next one.
_batch: ContextVar[tuple[int, list[Notification], list[tuple[TicketEvent, list[_TeamPlanned]]]] | None] = (
    ContextVar("notifications_batch", default=None)
)


def _batch_pending(batch: int) -> tuple[list[Notification], list[tuple[TicketEvent, list[_TeamPlanned]]]]:
    current = _batch.get()
    if current is None or current[0] != batch:
        current = (batch, [], [])
        _batch.set(current)
    return current[1], current[2]


def notifications_for_batch(*, batch: int) -> list[int]:
    """The outbox rows of a batch of events, as ``notifications_for_event`` writes them one by one (the
    same rows, recipients and idempotency keys), with one INSERT, one read of the pending ids and one
    enqueue after the commit for the whole batch."""
    current = _batch.get()
    _batch.set(None)
    if current is None or current[0] != batch:
        return []
    _number, rows, fanouts = current
    ids = _outbox_write(rows)
    _fanouts_write(fanouts)
    fanout_events = [event.pk for event, _teams in fanouts]
    if ids or fanout_events:
        transaction.on_commit(lambda: notification_enqueue(ids=ids, fanout_events=fanout_events), robust=True)
    return ids


def _fanouts_write(pairs: list[tuple[TicketEvent, list[_TeamPlanned]]]) -> None:
    """One ``NotificationFanout`` per (event, team mail); ignore_conflicts: the same event handled twice
    writes nothing new. The context is plain text (a team's name), so it keeps as JSON."""
    rows = [
        NotificationFanout(
            event=event, kind=t.kind, team_id=t.team_id, context={k: str(v) for k, v in t.context.items()}
        )
        for event, teams in pairs
        for t in teams
    ]
    if rows:
        NotificationFanout.objects.bulk_create(rows, ignore_conflicts=True)


def notification_fanouts_expand(*, event_id: int) -> list[int]:
    """Write the members' rows of the event's team-wide mails not expanded yet; return their pending ids.

    Runs in a worker after the change committed (``tasks.expand_fanouts``, or the redispatch). Members are
    resolved now, not at the change: an agent who joined the team a moment after it gets the mail, one who
    left does not. The mail shows the ticket as it is now and the context (the team's name) as it was.
    Safe to run twice, and at once: the fan-outs are locked (a second runner skips them), their rows carry
    the same idempotency keys as before (duplicates are ignored), and ``expanded_at`` commits with the rows.
    Delivery is enqueued after the commit.
    """
    with transaction.atomic():
        fanouts = list(
            NotificationFanout.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(event_id=event_id, expanded_at=None)
            .select_related("event__ticket__requester", "event__ticket__team", "event__actor", "team")
            .order_by("pk")
        )
        if not fanouts:
            return []
        event = fanouts[0].event
        planned: list[_Planned] = []
        for fanout in fanouts:
            context = {"team_name": fanout.team.name, **fanout.context}
            planned += [_Planned(fanout.kind, u, context) for u in _team_members(fanout.team_id)]
        allowed = [p for p in planned if _allowed(p, event.ticket, event)]
        ids = _outbox_write(
            _outbox_rows(_apply_preferences(allowed, event.ticket, event), event.ticket, event)
        )
        NotificationFanout.objects.filter(pk__in=[f.pk for f in fanouts]).update(expanded_at=timezone.now())
        if ids:
            transaction.on_commit(lambda: notification_enqueue(ids=ids), robust=True)
    return ids


def _apply_preferences(planned: list[_Planned], ticket: Ticket, event: TicketEvent) -> list[_Planned]:
    """Agents' choices (``inbox.preferences_for``, one query): writes their in-app items and returns the
    mails still wanted. Customers' mails pass unchanged (their own opt-out is ``email_updates``)."""
    agents = [p for p in planned if p.kind not in CUSTOMER_KINDS]
    if not agents:
        return planned
    prefs = inbox.preferences_for(user_ids={p.recipient.pk for p in agents})
    mails: list[_Planned] = [p for p in planned if p.kind in CUSTOMER_KINDS]
    in_app: list[tuple[User, str, str]] = []
    for p in agents:
        topic = p.topic or inbox.KIND_TOPIC.get(p.kind, "")
        wants_in_app, wants_mail = inbox.preference(prefs, p.recipient.pk, topic)
        if wants_in_app:
            in_app.append((p.recipient, topic, str(p.context.get("excerpt", ""))))
        if wants_mail:
            mails.append(p)
    inbox.inapp_write(ticket=ticket, event=event, items=in_app)
    return mails


def _outbox_rows(planned: list[_Planned], ticket: Ticket, event: TicketEvent) -> list[Notification]:
    """The rendered rows for those planned mails the rules allow (unsaved)."""
    rows: list[Notification] = []
    seen: set[tuple[str, int]] = set()
    # A team of 90 gets the same mail but for the greeting: render each kind once per language and put
    # the names in, instead of rendering 180 templates.
    rendered: dict[tuple[str, str, int], tuple[str, str, str, str]] = {}
    now = timezone.now()
    domain = _mail_domain()
    for p in planned:
        if (p.kind, p.recipient.pk) in seen or not _allowed(p, ticket, event):
            continue
        seen.add((p.kind, p.recipient.pk))
        key = (p.kind, _language(p.recipient, ticket), id(p.context) if p.context else 0)
        batch_key = _batch_render_key(p, ticket, event)
        if batch_key is not None:
            cache = _batch_rendered(batch_key[0])
            if batch_key not in cache:
                cache[batch_key] = notification_render(
                    kind=p.kind, ticket=ticket, recipient=p.recipient, event=event,
                    context={"name": _NAME_SLOT}, slots=True,
                )  # fmt: skip
            rendered[key] = _fill_slots(cache[batch_key], ticket, for_customer=p.kind in CUSTOMER_KINDS)
        if key not in rendered:
            rendered[key] = notification_render(
                kind=p.kind,
                ticket=ticket,
                recipient=p.recipient,
                event=event,
                context={**(p.context or {}), "name": _NAME_SLOT},
            )
        language, subject, text, html = rendered[key]
        name = _display_name(p.recipient)
        text, html = text.replace(_NAME_SLOT, name), html.replace(_NAME_SLOT, escape(name))
        rows.append(
            Notification(
                ticket=ticket,
                event=event,
                recipient=p.recipient,
                address=p.recipient.email,
                channel=Notification.Channel.EMAIL,
                kind=p.kind,
                language=language,
                subject=subject,
                body_text=text,
                body_html=html,
                idempotency_key=idempotency_key(event_id=event.pk, kind=p.kind, recipient_id=p.recipient.pk),
                message_id=make_msgid(idstring=f"{ticket.reference.lower()}", domain=domain),
                next_attempt_at=now,
                created_at=now,
            )
        )
    return rows


def _outbox_write(rows: list[Notification]) -> list[int]:
    """Insert the rows, skipping any already written; the pending ids among them."""
    if not rows:
        return []
    # ignore_conflicts: the same event handled twice (a re-sent signal, a second expansion) writes nothing new.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [r.idempotency_key for r in rows]
    return list(
        Notification.objects.filter(idempotency_key__in=keys, status=Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def notification_enqueue(*, ids: Iterable[int] = (), fanout_events: Iterable[int] = ()) -> None:
    """Hand outbox ids (in chunks), and events whose team-wide mails need expanding, to the workers.

    A broker outage is logged, never raised: the rows and fan-outs wait for the redispatch.
    """
    from helpdesk.celery import app as celery_app

    from .tasks import deliver_notifications, expand_fanouts  # tasks import services: avoid a cycle

    ids, fanout_events = list(ids), list(fanout_events)
    try:
        with celery_app.pool.acquire(block=True) as conn:
            # Fail fast when the broker is down (kombu's default retries for ~6 s, inside a web request);
            # the outbox row is the durable record, the message only a wake-up call.
            conn.ensure_connection(max_retries=1, interval_start=0.1, interval_step=0.1, timeout=1)
            for start in range(0, len(ids), DELIVERY_CHUNK):
                chunk = ids[start : start + DELIVERY_CHUNK]
                deliver_notifications.apply_async(args=[chunk], connection=conn, retry=False)
            for event_id in fanout_events:
                expand_fanouts.apply_async(args=[event_id], connection=conn, retry=False)
    except Exception as exc:  # the broker is outside our control; the outbox keeps the rows
        logger.warning(
            "Could not enqueue notifications %s / team mails of events %s (%s); the redispatch will.",
            ids,
            fanout_events,
            exc,
        )


# --- delivery (in a worker) ---------------------------------------------------------------------------


@contextmanager
def _delivery_transaction() -> Iterator[None]:
    """A transaction for delivery bookkeeping whose commit does not wait for the disk (PostgreSQL).

    ``synchronous_commit = off`` for this transaction only: a database crash can forget the last few
    hundred milliseconds of claims and "sent" marks. Such a row is pending again and may be sent a second
    time — the at-least-once case we accept anyway — but nothing is lost, and a commit stops costing a WAL
    flush per mail (measured on a busy server: ~8 ms per commit with, ~0.5 ms without).
    """
    with transaction.atomic():
        if db_connection.vendor == "postgresql":
            with db_connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)


def notification_backoff(*, attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed ones: base · 2^(attempts-1), capped."""
    seconds = settings.NOTIFICATIONS_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTIFICATIONS_BACKOFF_MAX_SECONDS))


def notification_claim(*, pks: Iterable[int]) -> list[Notification]:
    """Take rows for one delivery attempt each; returns the rows this call now owns (by pk).

    One conditional UPDATE, committed before anything is sent: pending rows that are due, and
    ``sending`` rows whose lease ran out (their worker died), become ``sending`` with a fresh lease and this
    call's token. Rows another worker holds, or that were sent or failed, are not touched.
    """
    pks = list(pks)
    now = timezone.now()
    token = uuid.uuid4().hex
    with _delivery_transaction():  # committed before any mail is sent
        Notification.objects.filter(
            pk__in=pks,
            status__in=[Status.PENDING, Status.SENDING],
            next_attempt_at__lte=now,
            attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS,
        ).update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + _lease(),
            lease_token=token,
        )
        return list(
            Notification.objects.filter(pk__in=pks, status=Status.SENDING, lease_token=token)
            .select_related("ticket")
            .order_by("pk")
        )


def _owned(n: Notification) -> Any:
    """The queryset that matches the row only while this claim still owns it."""
    return Notification.objects.filter(pk=n.pk, status=Status.SENDING, lease_token=n.lease_token)


def notification_email(*, notification: Notification, connection: Any = None) -> EmailMultiAlternatives:
    n = notification
    domain = _mail_domain()
    headers = {
        "Message-ID": n.message_id,
        # RFC 3834: tells auto-responders (vacation replies) not to answer, so no mail loops.
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        # Every mail of a ticket references the same root id, so mail clients thread them.
        "References": f"<{n.ticket.reference.lower()}@{domain}>",
        "X-Helpdesk-Reference": n.ticket.reference,
    }
    if n.recipient_id == n.ticket.requester_id:
        # Replies go to the ticket's signed address, so they thread even when the subject is changed.
        headers["Reply-To"] = reply_address(ticket=n.ticket)
    msg = EmailMultiAlternatives(
        subject=n.subject,
        body=n.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[n.address],
        headers=headers,
        connection=connection,
    )
    if n.body_html:
        msg.attach_alternative(n.body_html, "text/html")
    return msg


def _permanent(exc: BaseException) -> bool:
    """A 5xx answer means trying again will not help (unknown mailbox, refused sender)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _mark_sent(n: Notification) -> bool:
    with _delivery_transaction():
        done = _owned(n).update(status=Status.SENT, sent_at=timezone.now(), last_error="", lease_token="")
        if done:
            # The NOTIFICATION event is ignored by our own receiver (no mail about mails).
            event_record(
                ticket=n.ticket,
                kind=EventKind.NOTIFICATION,
                actor=None,
                field="kind",
                new=n.kind,
                # The recipient's id: the timeline names them ("… sent: Assigned to you, to Ben Novak").
                data={"notification": n.pk, "kind": n.kind, "recipient": n.recipient_id},
            )
    if not done:
        logger.warning("Notification %s was taken over by another worker while sending.", n.pk)
    return bool(done)


def _mark_failed_attempt(n: Notification, exc: BaseException) -> None:
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    changes: dict[str, Any] = {"last_error": error, "lease_token": ""}
    if _permanent(exc) or n.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        changes["status"] = Status.FAILED
    else:
        changes["status"] = Status.PENDING
        changes["next_attempt_at"] = now + notification_backoff(attempts=n.attempts)
    _owned(n).update(**changes)
    logger.info("Notification %s attempt %s failed: %s", n.pk, n.attempts, error)


def _release(n: Notification) -> None:
    """Give back a claimed row that was not tried (too little lease left): no attempt used."""
    _owned(n).update(
        status=Status.PENDING, attempts=F("attempts") - 1, next_attempt_at=timezone.now(), lease_token=""
    )


def mail_connection_close(connection: Any) -> None:
    """Close a mail connection that may already be dead (QUIT on a reset socket raises OSError)."""
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        connection.connection = None  # Django's SMTP backend reconnects when this is None


def _send(n: Notification, connection: Any) -> bool:
    # Start a send only with at least half the lease left, so it ends before anyone may take the row
    # over (EMAIL_TIMEOUT bounds each SMTP step; keep a whole conversation below half the lease).
    if timezone.now() > n.next_attempt_at - _lease() / 2:
        _release(n)
        return False
    try:
        connection.open()  # no-op when the batch's connection is already open
        msg = notification_email(notification=n, connection=connection)
        if msg.send() != 1:
            raise smtplib.SMTPException("The mail backend accepted no message.")
    except (smtplib.SMTPException, OSError) as exc:
        mail_connection_close(connection)  # the next row reconnects instead of reusing a broken session
        _mark_failed_attempt(n, exc)
        return False
    return _mark_sent(n)


def notification_deliver_batch(*, pks: Iterable[int], connection: Any = None) -> int:
    """Claim the rows, then send each over one mail connection; returns how many this call sent.

    Each row is marked sent right after its own SMTP conversation, never at the end of the batch, so a
    worker lost mid-batch can duplicate at most the one mail it was sending. A ``connection`` passed in
    stays open for the caller (a worker keeps one between tasks); otherwise one is opened and closed here.
    """
    claimed = notification_claim(pks=pks)
    if not claimed:
        return 0
    own = connection is None
    connection = connection or get_connection(fail_silently=False)
    sent = 0
    try:
        for n in claimed:
            sent += _send(n, connection)
    finally:
        if own:
            mail_connection_close(connection)
    return sent


def notification_deliver(*, pk: int) -> bool:
    """Send one outbox row if it is ours to send; True when this call sent it."""
    return notification_deliver_batch(pks=[pk]) == 1


def notification_redispatch() -> int:
    """Re-enqueue rows left behind (pending and due, or ``sending`` with an expired lease) and expand
    team-wide mails whose expansion never ran; returns how many rows were handed to the workers.

    Only rows and fan-outs older than a grace period, so those whose first task is simply still queued are
    not enqueued twice on every run (a second task would find nothing to do, but it costs a round trip).
    """
    now = timezone.now()
    # A row whose worker keeps dying (it used up its attempts while `sending`) gives up here.
    Notification.objects.filter(
        status=Status.SENDING, next_attempt_at__lte=now, attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS
    ).update(status=Status.FAILED, last_error=_("Delivery did not finish; the worker was lost."))
    cutoff = now - timedelta(seconds=settings.NOTIFICATIONS_REDISPATCH_GRACE_SECONDS)
    ids = list(
        Notification.objects.filter(status__in=[Status.PENDING, Status.SENDING], next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:REDISPATCH_BATCH]
    )
    if ids:
        notification_enqueue(ids=ids)
    # Fan-outs whose task never ran (broker down at the commit, message lost): expanded right here, in the
    # worker that runs the redispatch. After the scan above, so their new rows are not enqueued twice.
    events = NotificationFanout.objects.filter(expanded_at=None, created_at__lte=cutoff).order_by(
        "created_at"
    )
    event_ids = dict.fromkeys(events.values_list("event_id", flat=True)[:FANOUT_REDISPATCH_BATCH])
    expanded = sum(len(notification_fanouts_expand(event_id=event_id)) for event_id in event_ids)
    return len(ids) + expanded


# --- customer side -------------------------------------------------------------------------------------


def notification_preferences_update(*, user: User, email_updates: bool) -> User:
    user.email_updates = email_updates
    user.save(update_fields=["email_updates"])
    return user


def survey_rating_submit(*, ticket: Ticket, score: int, comment: str = "") -> Rating:
    """A rating through the signed survey link: nobody is signed in, so the event has no actor."""
    return rating_create(ticket=ticket, by=None, score=score, comment=comment)
