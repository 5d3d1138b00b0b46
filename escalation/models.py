"""Escalations with their handoff, de-escalations, consults, and the routing state of a team.

The escalation *paths* (category × tier → team) live in ``tickets.EscalationPath`` because
creating a ticket needs the tier-1 route; this app configures them (``/agent/config/paths/``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier


class Escalation(models.Model):
    """A ticket handed to a higher tier, with everything the next level needs (the handoff)."""

    class Reason(models.TextChoices):
        NEEDS_EXPERTISE = "needs_expertise", _("Needs expertise")
        NEEDS_PERMISSIONS = "needs_permissions", _("Needs permissions")
        CUSTOMER_REQUEST = "customer_request", _("Customer request")
        SLA_BREACH = "sla_breach", _("SLA breach")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        # The ticket moved on (escalated again, de-escalated, resolved) before anyone accepted.
        SUPERSEDED = "superseded", _("Superseded")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="escalations")
    from_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    to_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    from_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_team = models.ForeignKey(
        "accounts.Team", null=True, on_delete=models.SET_NULL, related_name="escalations_received"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    summary = models.TextField(max_length=settings.HELPDESK_MAX_BODY_CHARS)
    steps_taken = models.TextField(max_length=settings.HELPDESK_MAX_BODY_CHARS)
    diagnostics = models.TextField(blank=True, max_length=settings.HELPDESK_MAX_BODY_CHARS)
    customer_impact = models.TextField(blank=True, max_length=settings.HELPDESK_MAX_BODY_CHARS)
    # Knowledge-base article ids (the knowledge base lands separately; no FK yet).
    articles_tried = models.JSONField(default=list, blank=True)
    # None: the system escalated (e.g. on an SLA breach).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    time_to_accept = models.DurationField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=5000)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The receiving team's queue (pending, oldest first) and the API filter team+status.
            models.Index(fields=["to_team", "status", "id"], name="escalation_team_status"),
            # The queue, longest waiting first, of one team or several (an agent in two teams, a
            # supervisor watching all): only pending rows, so it stays small, walked in waiting order
            # (without it PostgreSQL walked past every accepted escalation, ~200 ms at 500k).
            models.Index(
                fields=["created_at", "id"], condition=models.Q(status="pending"), name="escalation_pending"
            ),
            models.Index(fields=["ticket", "-id"], name="escalation_ticket"),
            models.Index(fields=["status", "-id"], name="escalation_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_tier__gt=models.F("from_tier")), name="escalation_goes_up"
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation {self.pk} of #{self.ticket_id} T{self.from_tier}→T{self.to_tier}"

    @property
    def reason_label(self) -> str:
        """``get_reason_display()`` without rebuilding the choices dict on every call (queue rows)."""
        try:
            return str(self.Reason(self.reason).label)
        except ValueError:
            return self.reason


class Deescalation(models.Model):
    """A ticket returned to a lower tier, with instructions."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="deescalations")
    from_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    to_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    from_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    instructions = models.TextField(max_length=settings.HELPDESK_MAX_BODY_CHARS)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["ticket", "-id"], name="deescalation_ticket")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_tier__lt=models.F("from_tier")), name="deescalation_goes_down"
            ),
        ]

    def __str__(self) -> str:
        return f"De-escalation {self.pk} of #{self.ticket_id} T{self.from_tier}→T{self.to_tier}"


class Consult(models.Model):
    """Advice asked of another team while the asking agent keeps the ticket and the customer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="consults")
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="consults")
    question = models.TextField(max_length=settings.HELPDESK_MAX_BODY_CHARS)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(blank=True, max_length=settings.HELPDESK_MAX_BODY_CHARS)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # Set when the consult was turned into a full escalation.
    escalation = models.ForeignKey(
        Escalation, null=True, blank=True, on_delete=models.SET_NULL, related_name="consults"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["team", "status", "id"], name="consult_team_status"),
            models.Index(fields=["ticket", "-id"], name="consult_ticket"),
        ]

    def __str__(self) -> str:
        return f"Consult {self.pk} on #{self.ticket_id}"


class TeamRoutingState(models.Model):
    """Where round robin stopped in a team; locked while picking so two arrivals never pick alike."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="routing_state")
    last_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"routing of {self.team_id}"
