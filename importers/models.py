"""What was imported from where (``ImportedRecord``), and the runs (``ImportRun``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportedRecord(models.Model):
    """One source record and the object it became: the key of idempotency.

    ``source_key`` names the source's data, not a run (``Source.key``), so every run against the same
    data finds what earlier runs wrote. ``fingerprint`` is a hash of the record as it was imported: a
    record whose fingerprint is unchanged is skipped, a changed one updates its object. ``number``
    is a ticket's original number (``[#123]`` in old mails), looked up by ``importers.lookup``.
    """

    class Kind(models.TextChoices):
        TEAM = "team", _("Team")
        USER = "user", _("User")
        TICKET = "ticket", _("Ticket")
        MESSAGE = "message", _("Message")
        ATTACHMENT = "attachment", _("Attachment")
        KB_CATEGORY = "kb_category", _("Knowledge base category")
        KB_ARTICLE = "kb_article", _("Knowledge base article")
        ORGANISATION = "organisation", _("Organisation")

    source_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source_id = models.CharField(max_length=200)
    object_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=64, blank=True)
    number = models.CharField(max_length=64, blank=True)
    # Per kind: a ticket keeps the source ids of its messages ({"messages": [...]}) so an update adds
    # only the new ones.
    data = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_key", "kind", "source_id"], name="importedrecord_once_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "object_id"], name="importedrecord_object"),
            models.Index(fields=["number"], name="importedrecord_number", condition=models.Q(kind="ticket")),
        ]

    def __str__(self) -> str:
        return f"{self.source_key} {self.kind} {self.source_id} → {self.object_id}"


class ImportRun(models.Model):
    """One import (from the command or the supervisor page): its settings, progress and report."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source_name = models.CharField(max_length=40)
    # Where the data is: an upload's path under MEDIA_ROOT (``imports/<id>/<name>``, never served) or a
    # URL with any password taken out; never a token (see ``secret``).
    location = models.CharField(max_length=1000)
    # The uploaded file's name as the supervisor chose it (shown on the pages).
    file_name = models.CharField(max_length=255, blank=True)
    # The API token or the database URL with its password: kept only until the run ends (done or
    # failed), never shown again, never logged nor audited.
    secret = models.TextField(blank=True)
    # The mapping file as given (YAML); ``mapping`` keeps the mapping that was used.
    mapping_text = models.TextField(blank=True)
    options = models.JSONField(default=dict, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(default=False)
    since = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Tickets handled so far (imported, updated, unchanged or skipped) and, when known, how many there are.
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Moved on after every batch: a run whose heartbeat is recent is being worked on (a redelivered
    # task leaves it alone); an old one was abandoned by a dead worker and may be taken over.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source_name} {self.location} ({self.status})"

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
