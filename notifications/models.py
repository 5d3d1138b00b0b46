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
