"""The outbox: one row per message we owe someone (or one per team-wide mail), written in the transaction of
the change that caused it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        # Webhook deliveries will be another channel on the same rows: ``address`` then holds the URL,
        # ``recipient`` is empty, ``body_text`` the JSON payload; claim, lease and backoff stay the same.

    class Kind(models.TextChoices):
        # To the customer (the requester).
        RECEIVED = "received", _("Request received")
        REPLY = "reply", _("Reply from the service desk")
        WAITING = "waiting", _("Waiting for your reply")
        RESOLVED = "resolved", _("Request solved")
        FORWARDED = "forwarded", _("Forwarded to specialists")
        REOPENED = "reopened", _("Request reopened")
        # To agents.
        ASSIGNED = "assigned", _("Assigned to you")
        NEW_IN_QUEUE = "new_in_queue", _("New in your team's queue")
        ESCALATED = "escalated", _("Escalated to your team")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACH = "sla_breach", _("SLA breach")
        MENTIONED = "mentioned", _("Mentioned in an internal note")
        FOLLOWED = "followed", _("Update on a ticket you follow")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied at creation: the mail goes where the address was when the change happened.
    address = models.CharField(max_length=500)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    # Rendered at creation, inside the change's transaction: the worker only sends, and what a
    # customer receives is what was public at that moment.
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # "<event id>:<kind>:<recipient id>" — the same event never produces the same mail twice.
    idempotency_key = models.CharField(max_length=200, unique=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # pending: not to be tried before this time (backoff).
    # sending: the lease — until then the claiming worker owns the row; after it, anyone may take over.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Which claim owns a ``sending`` row; the "sent"/"failed" marks apply only with the owner's token.
    lease_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Our Message-ID header, kept so replies to this mail can be threaded to the ticket.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The redispatch scan: only rows that still need work, by the time they become due.
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["ticket", "-id"], name="notification_ticket"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed"]),
                name="notification_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.address} ({self.status})"


class NotificationFanout(models.Model):
    """One team-wide mail an event calls for ("new in your team's queue", "escalated to your team").

    Written in the change's transaction instead of one ``Notification`` per member, so a change costs one
    row whatever the team's size; a worker expands it into the members' rows
    (``services.notification_fanouts_expand``) under the same idempotency keys, and the redispatch
    expands any the commit-time task never reached. Members are resolved at expansion.
    """

    event = models.ForeignKey(
        "tickets.TicketEvent",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique constraint below starts with the event
    )
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    # Extra template context, as it was at the change (e.g. the name of the team escalated to).
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expanded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The redispatch scan: fan-outs never expanded, oldest first.
            models.Index(
                fields=["created_at"],
                name="notification_fanout_todo",
                condition=models.Q(expanded_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind", "team"], name="notification_fanout_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → team {self.team_id} (event {self.event_id})"


# --- agents: in-app notifications, preferences, followers, mentions --------------------------------------


class Topic(models.TextChoices):
    """What an agent is told about: the rows of the preferences page and the kinds of in-app items."""

    MENTIONED = "mentioned", _("Someone mentions me in an internal note")
    ASSIGNED = "assigned", _("A ticket is assigned to me")
    NEW_IN_QUEUE = "new_in_queue", _("A new ticket arrives in my team's queue")
    ESCALATED = "escalated", _("A ticket is escalated to my team")
    SLA_WARNING = "sla_warning", _("SLA warning (my ticket, or my team's unassigned one)")
    SLA_BREACH = "sla_breach", _("SLA breach in my team")
    CUSTOMER_REPLY = "customer_reply", _("Followed ticket: the customer replied")
    AGENT_REPLY = "agent_reply", _("Followed ticket: a colleague replied to the customer")
    NOTE = "note", _("Followed ticket: internal note")
    STATUS = "status", _("Followed ticket: status changed")
    ASSIGNEE = "assignee", _("Followed ticket: assignee changed")
    ESCALATION = "escalation", _("Followed ticket: escalated or handed back")
    CHANGE = "change", _("Followed ticket: priority, team, category or tags changed")
    # Not a preference: always in-app, to the author of a note whose mention reached nobody.
    MENTION_UNDELIVERED = "mention_undelivered", _("A colleague you mentioned was not notified")


class InAppNotification(models.Model):
    """One item of an agent's notification list (the bell in the top bar)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        "tickets.TicketEvent", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    topic = models.CharField(max_length=24, choices=Topic.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who could not be told (MENTION_UNDELIVERED), or the start of the note / reply, mentions as names.
    excerpt = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The list, newest first. Ordered by time, not by id: "recipient = x ORDER BY id DESC" lets
            # PostgreSQL walk the primary key backwards, which reads the whole table for an agent whose
            # items are all old (measured: 44 ms at 200k rows; this index: 0.3 ms).
            models.Index(fields=["recipient", "-created_at", "-id"], name="inapp_recipient"),
            # The unread count in the top bar: only unread rows are in this index.
            models.Index(fields=["recipient"], name="inapp_unread", condition=models.Q(read_at=None)),
        ]
        constraints = [
            # One item per person and event, whichever reason (mentioned, assigned, following) came first.
            models.UniqueConstraint(fields=["event", "recipient"], name="inapp_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} → {self.recipient_id} (ticket {self.ticket_id})"


class NotificationPreference(models.Model):
    """An agent's choice for one topic; without a row the topic's default applies (``inbox.DEFAULTS``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    topic = models.CharField(max_length=24, choices=Topic.choices)
    in_app = models.BooleanField()
    mail = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic}: in-app {self.in_app}, mail {self.mail}"


class TicketFollower(models.Model):
    """An agent who follows a ticket. An explicit unfollow is kept (``following=False``) so that being
    assigned or mentioned later does not make them follow again against their wish."""

    class Reason(models.TextChoices):
        MANUAL = "manual", _("Followed")
        ASSIGNED = "assigned", _("Assigned")
        MENTIONED = "mentioned", _("Mentioned")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    following = models.BooleanField(default=True)
    reason = models.CharField(max_length=12, choices=Reason.choices, default=Reason.MANUAL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="ticket_follower_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.ticket_id}: {self.following}"


class Mention(models.Model):
    """An agent mentioned in an internal note (the note's text keeps ``@[Name|id]``; this row is the
    reference the page renders the current name from, and whether the agent was told)."""

    message = models.ForeignKey("tickets.Message", on_delete=models.CASCADE, related_name="+", db_index=False)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # False: the agent could not see the ticket and was not told (the author was).
    notified = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="mention_once")]

    def __str__(self) -> str:
        return f"{self.user_id} in message {self.message_id}"
