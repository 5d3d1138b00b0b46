from __future__ import annotations

import os

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mailbox(models.Model):
    """An IMAP mailbox a supervisor configured. The password never lives in the database:
    ``password_env`` names the environment variable that holds it."""

    name = models.CharField(max_length=100, unique=True)
    address = models.EmailField(
        help_text=_("The support address customers write to, e.g. support@example.com")
    )
    host = models.CharField(max_length=200)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField(default=True)
    username = models.CharField(max_length=200)
    password_env = models.CharField(
        max_length=100, help_text=_("Name of the environment variable with the password")
    )
    folder = models.CharField(max_length=100, default="INBOX")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def password(self) -> str:
        return os.environ.get(self.password_env, "")


class InboundMail(models.Model):
    """Every fetched mail, stored raw before anything else happens, so nothing is ever lost."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        QUARANTINED = "quarantined", _("Quarantined")

    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="mails"
    )
    # The Message-ID, or a digest of the content when the mail has none. Not unique: broken mailers
    # and resends with edits reuse an id for a different mail, and every distinct mail is kept.
    message_id = models.CharField(max_length=255, db_index=True)
    # mailin.fingerprint.content_hash: the same mail delivered twice is stored (and processed) once.
    content_hash = models.CharField(max_length=64)
    # The first stored mail with this Message-ID when this one is a different mail reusing it.
    repeat_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raw = models.BinaryField()
    from_address = models.CharField(max_length=254, blank=True, db_index=True)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    reason = models.CharField(max_length=200, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["from_address", "received_at"], name="inbound_sender_time")]
        constraints = [
            models.UniqueConstraint(fields=["message_id", "content_hash"], name="inbound_unique_content")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"


class Participant(models.Model):
    """Someone besides the requester who may write to a ticket by mail, once an agent approved them.
    Cc addresses are only offered (approved=False); they are never subscribed automatically."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="participants")
    email = models.EmailField()
    approved = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "email"], name="unique_participant")]

    def __str__(self) -> str:
        return self.email
