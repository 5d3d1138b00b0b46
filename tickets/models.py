"""The core: categories and their routing, tickets, messages, attachments, the audit trail."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier

REFERENCE_PREFIX = "HD-"
# The author shown for a system message (``Message.system``): the helpdesk itself, not a person.
SYSTEM_AUTHOR = _("Service desk")
REFERENCE_RE = re.compile(r"\bHD-(\d{1,12})\b", re.IGNORECASE)


def reference_for(pk: int) -> str:
    return f"{REFERENCE_PREFIX}{pk:06d}"


def pk_from_reference(reference: str) -> int | None:
    match = REFERENCE_RE.fullmatch(reference.strip()) or REFERENCE_RE.search(reference)
    return int(match.group(1)) if match else None


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Priority(models.TextChoices):
    P1 = "P1", _("P1 critical")
    P2 = "P2", _("P2 high")
    P3 = "P3", _("P3 medium")
    P4 = "P4", _("P4 low")


class Category(models.Model):
    name = models.CharField(max_length=120)
    name_de = models.CharField(max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_category_name_in_parent")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def localized_name(self) -> str:
        """The German name while German is active (when one is set), else the name."""
        return self.name_de if self.name_de and (get_language() or "").startswith("de") else self.name


class EscalationPath(models.Model):
    """Which team takes a category at a tier.

    Kept in ``tickets`` (not ``escalation``) because creating a ticket needs the
    tier-1 route and the core must not depend on the apps built around it.
    """

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="escalation_paths")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="escalation_paths")

    class Meta:
        ordering = ["category_id", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["category", "tier"], name="one_path_per_category_tier")
        ]

    def __str__(self) -> str:
        return f"{self.category} T{self.tier} → {self.team}"


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Tickets without a due time sort last: the API's cursor cannot point at NULL, so nullable due times
# sort by this value instead (the ordering filter and the indexes share ``sort_key``).
NO_DUE_TIME = datetime(9999, 12, 31, tzinfo=UTC)


def sort_key(field: str) -> Coalesce:
    """A nullable due time as the API sorts it."""
    return Coalesce(field, models.Value(NO_DUE_TIME))


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat")
        API = "api", _("API")
        SOCIAL = "social", _("Social")

    class SlaState(models.TextChoices):
        OK = "ok", _("OK")
        WARNING = "warning", _("Warning")
        BREACHED = "breached", _("Breached")
        PAUSED = "paused", _("Paused")

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)

    subject = models.CharField(max_length=200)
    description = models.TextField(max_length=settings.HELPDESK_MAX_BODY_CHARS)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    impact = models.CharField(max_length=6, choices=Level.choices, default=Level.MEDIUM)
    urgency = models.CharField(max_length=6, choices=Level.choices, default=Level.MEDIUM)
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    priority_overridden = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.FIRST)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    # Set when this ticket was merged into another (``tickets.merge``): it is closed, its page points
    # there, and whatever still arrives for it (mail, portal replies, API messages) lands there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped on every change; a reply written against an older version is held back (collision detection).
    version = models.PositiveIntegerField(default=1)

    # SLA: due times live in the database; the sla app computes them and the sweep reads them.
    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    sla_state = models.CharField(max_length=10, choices=SlaState.choices, default=SlaState.OK)
    sla_paused_at = models.DateTimeField(null=True, blank=True)

    # What the metrics need, kept as counters and timestamps so reports are aggregates, not replays.
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    escalation_count = models.PositiveIntegerField(default=0)
    deescalation_count = models.PositiveIntegerField(default=0)
    reopen_count = models.PositiveIntegerField(default=0)
    public_reply_count = models.PositiveIntegerField(default=0)
    customer_followup_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "tier", "-id"], name="ticket_status_tier"),
            models.Index(fields=["team", "status", "-id"], name="ticket_team_status"),
            models.Index(fields=["assignee", "status", "-id"], name="ticket_assignee_status"),
            models.Index(fields=["requester", "-id"], name="ticket_requester"),
            models.Index(fields=["created_at"], name="ticket_created"),
            models.Index(fields=["resolved_at"], name="ticket_resolved"),
            models.Index(fields=["status", "resolution_due"], name="ticket_status_res_due"),
            # Queues and the API sort open tickets by their resolution due time.
            models.Index(
                fields=["resolution_due", "id"],
                name="ticket_open_res_due",
                condition=models.Q(status__in=["new", "open", "pending"]),
            ),
            # The SLA sweep scans only open tickets that have a due time.
            models.Index(
                fields=["first_response_due"],
                name="ticket_open_fr_due",
                condition=models.Q(status__in=["new", "open"], first_response_at__isnull=True),
            ),
            # The API's explicit orders, walked in order by a search with ``ordering`` (issue #16; see
            # ``tickets.pagination``): the due times as the API sorts them (no due time last).
            models.Index(sort_key("resolution_due"), models.F("id"), name="ticket_sort_res_due"),
            models.Index(sort_key("first_response_due"), models.F("id"), name="ticket_sort_fr_due"),
            models.Index(fields=["priority", "id"], name="ticket_sort_priority"),
            # Every write to a ticket changes ``updated_at``, so with this index no write is a HOT
            # update any more: measured +0.1 ms a write (0.3 -> 0.4 ms, 5,000 updates at 1M tickets).
            models.Index(fields=["updated_at", "id"], name="ticket_sort_updated"),
            # The agent queue's orders (``tickets.workspace.SORTS``) over open tickets, walked by its
            # search box (newest / oldest, first response due, priority, last updated; resolution due:
            # ``ticket_open_res_due``). A few percent of the tickets each.
            *(
                models.Index(
                    fields=fields, name=name, condition=models.Q(status__in=["new", "open", "pending"])
                )
                for name, fields in (
                    ("ticket_open_id", ["id"]),
                    ("ticket_open_fr", ["first_response_due", "id"]),
                    ("ticket_open_priority", ["priority", "-id"]),
                    ("ticket_open_updated", ["updated_at", "id"]),
                )
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(tier__gte=1, tier__lte=3), name="ticket_tier_1_to_3"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return reference_for(self.pk) if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TicketSearch(models.Model):
    """A ticket's searchable text as one ``tsvector`` (PostgreSQL), kept by database triggers.

    Subject (weight A), description (B), public messages (C) and internal notes (D) of the ticket:
    migration 0006_ticket_search_document creates the triggers that rewrite ``document`` whenever a
    ticket's subject or description or any of its messages change, so no code path (services, COPY,
    the admin, a queryset update) can leave it stale. Nothing writes it from Python. Who may match
    which weights is decided by ``tickets.selectors``. Empty (no rows) on SQLite.
    """

    ticket = models.OneToOneField(
        "Ticket", primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    document = SearchVectorField(null=True)

    def __str__(self) -> str:
        return f"search document of #{self.ticket_id}"


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=settings.HELPDESK_MAX_BODY_CHARS)
    internal = models.BooleanField(default=False)
    # True when an agent (not the requester) wrote it; kept so reports never join users.
    by_agent = models.BooleanField(default=False)
    # Written by the helpdesk itself (e.g. the public update on an escalation): no person is its author,
    # neither the customer nor an agent. Shown with its own name ("Service desk") and look.
    system = models.BooleanField(default=False, db_default=False)
    channel = models.CharField(max_length=10, choices=Ticket.Channel.choices, default=Ticket.Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now)
    # Email threading (notifications app fills these): our Message-ID and why an inbound mail matched.
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    match_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created")]

    def __str__(self) -> str:
        return f"{'note' if self.internal else 'reply'} on #{self.ticket_id}"

    @property
    def author_kind(self) -> str:
        """Who wrote it: ``"system"`` (the helpdesk), ``"agent"`` or ``"customer"``."""
        if self.system:
            return "system"
        return "agent" if self.by_agent else "customer"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # Stored under a generated name: the user's file name never reaches the file system.
    suffix = PurePath(filename).suffix.lower()[:10]
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,9}", suffix or "") else ""
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_upload_to, max_length=200)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    # Attachments of internal notes are internal too.
    internal = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """One immutable entry of the audit trail."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        TIER = "tier", _("Tier changed")
        TEAM = "team", _("Team changed")
        ASSIGNEE = "assignee", _("Assignee changed")
        PRIORITY = "priority", _("Priority changed")
        IMPACT = "impact", _("Impact changed")
        URGENCY = "urgency", _("Urgency changed")
        CATEGORY = "category", _("Category changed")
        TAGS = "tags", _("Tags changed")
        MESSAGE = "message", _("Public reply")
        NOTE = "note", _("Internal note")
        ATTACHMENT = "attachment", _("Attachment added")
        RESOLVED = "resolved", _("Resolved")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")
        RATED = "rated", _("Rated")
        ESCALATED = "escalated", _("Escalated")
        ESCALATION_ACCEPTED = "escalation_accepted", _("Escalation accepted")
        ESCALATION_DECLINED = "escalation_declined", _("Escalation declined")
        DEESCALATED = "deescalated", _("De-escalated")
        CONSULT = "consult", _("Consult")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACH = "sla_breach", _("SLA breach")
        SLA_DUE = "sla_due", _("SLA due times set")
        NOTIFICATION = "notification", _("Notification sent")
        MERGED = "merged", _("Merged")
        SPLIT = "split", _("Split")
        LINKED = "linked", _("Linked")
        UNLINKED = "unlinked", _("Link removed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField(max_length=40, blank=True)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    # Agent-only detail (e.g. the escalation id); never shown to customers.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_created")]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Ticket events are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object):  # type: ignore[override]
        raise ValueError("Ticket events are immutable.")


class TicketLink(models.Model):
    """A typed link between two tickets (``tickets.links``), shown on both tickets' pages.

    Directed: ``source`` *kind* ``target`` — "A duplicate of B", "A caused by B", "A parent of B".
    "Related" reads the same both ways and is stored once per pair.
    """

    class Kind(models.TextChoices):
        RELATED = "related", _("Related to")
        DUPLICATE = "duplicate", _("Duplicate of")
        CAUSED_BY = "caused_by", _("Caused by")
        PARENT = "parent", _("Parent of")

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target", "kind"], name="ticketlink_target")]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticketlink_once"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="ticketlink_not_self"
            ),
            # A ticket has at most one parent.
            models.UniqueConstraint(
                fields=["target"], condition=models.Q(kind="parent"), name="ticketlink_one_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.source_id} {self.kind} #{self.target_id}"


class BulkJob(models.Model):
    """A bulk action over many tickets (``tickets.bulk``), run in chunks by a worker.

    ``ticket_ids`` is the selection as it was when the agent submitted it; ``done`` counts the ids
    already handled and commits with each chunk, so a task that runs twice (or dies and is
    redelivered) continues after the last committed chunk and never applies a chunk twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    ticket_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    # [{"id", "reference", "reason"}] of tickets left alone (skipped) or that failed.
    skipped = models.JSONField(default=list, blank=True)
    failed = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} × {self.total} ({self.status})"


# The customer's satisfaction score, worded: a bare "1 … 5" leaves open which end is good.
RATING_CHOICES = [
    (1, _("1 – Very poor")),
    (2, _("2 – Poor")),
    (3, _("3 – Okay")),
    (4, _("4 – Good")),
    (5, _("5 – Excellent")),
]


class Rating(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 for #{self.ticket_id}"

    @property
    def label(self) -> str:
        return str(dict(RATING_CHOICES).get(self.score, self.score))


class IdempotencyKey(models.Model):
    """First response to a create with an ``Idempotency-Key``; the same key again replays it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key")]

    def __str__(self) -> str:
        return self.key
