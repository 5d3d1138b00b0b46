"""Macros (bundles of actions an agent applies with one click) and automation rules (triggers).

Both keep their actions as a JSON list validated by ``automation.actions`` (one schema for both);
rules keep their conditions as a JSON list validated by ``automation.conditions``. ``Run`` is the
execution log of each ticket: every rule that fired (or was stopped) and every macro applied.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Macro(models.Model):
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Personal macros belong to their owner; shared ones (set by a supervisor) are offered to every agent.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="macros", null=True, blank=True
    )
    shared = models.BooleanField(_("shared with all agents"), default=False)
    actions = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shared=True) | models.Q(owner__isnull=False), name="macro_owned_or_shared"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    class Trigger(models.TextChoices):
        CREATED = "created", _("Ticket created")
        UPDATED = "updated", _("Ticket updated")
        CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
        ESCALATED = "escalated", _("Ticket escalated")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACH = "sla_breach", _("SLA breach")
        TIME = "time", _("Time passed (periodic check)")

    class Since(models.TextChoices):
        """What a time rule measures from (the ticket's own timestamp)."""

        PENDING = "pending", _("pending for")
        RESOLVED = "resolved", _("resolved for")
        UNCHANGED = "unchanged", _("open and unchanged for")
        CREATED = "created", _("open for")

    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    # Rules run in this order (lowest first); equal positions by id.
    position = models.PositiveIntegerField(default=0)
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices)
    since = models.CharField(_("time condition"), max_length=12, choices=Since.choices, blank=True)
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["trigger", "position"], name="rule_trigger_position")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(trigger="time") & ~models.Q(since="") & models.Q(hours__gte=1))
                | (~models.Q(trigger="time") & models.Q(since="") & models.Q(hours__isnull=True)),
                name="rule_time_fields_only_for_time",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Run(models.Model):
    """One entry of a ticket's automation log: a rule that fired or was stopped, or a macro applied."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        NO_CHANGE = "no_change", _("Applied, nothing to change")
        FAILED = "failed", _("Failed")
        LOOP = "loop", _("Stopped: would react to its own change")
        DEPTH = "depth", _("Stopped: chain of rules too long")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="automation_runs")
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    macro = models.ForeignKey(Macro, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    # Kept: the log still reads right after the rule or macro is renamed or deleted.
    name = models.CharField(max_length=120)
    # The event a rule reacted to (event rules), or the timestamp a time rule measured from: a time rule
    # fires once per ticket and anchor (once per stay in pending, per resolution, …).
    event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anchor = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # What was done, as short lines in the site's language at the time ("Status → Closed").
    changes = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ticket", "-created_at"], name="automation_run_ticket")]
        constraints = [
            # A rule reacts to one event once, and a time rule to one anchor once, however often it is run.
            models.UniqueConstraint(
                fields=["rule", "event"],
                name="automation_run_once_per_event",
                condition=models.Q(event__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["rule", "ticket", "anchor"],
                name="automation_run_once_per_anchor",
                condition=models.Q(anchor__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} on #{self.ticket_id}: {self.outcome}"
