"""Recurring tickets: a cron schedule in the site's time zone (optionally only on a calendar's
business days) and the ticket it opens, plus one row per handled occurrence (the idempotency key)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Priority


class RecurringTicket(models.Model):
    name = models.CharField(_("name"), max_length=120)
    cron = models.CharField(
        _("schedule"),
        max_length=100,
        help_text=_("Cron: minute hour day-of-month month day-of-week, e.g. 0 8 * * 1 (Mondays 08:00)."),
    )
    calendar = models.ForeignKey(
        "sla.Calendar",
        verbose_name=_("only on business days of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Occurrences on this calendar's days off and holidays are skipped."),
    )
    active = models.BooleanField(_("active"), default=True)
    # The ticket it opens.
    subject = models.CharField(
        _("subject"), max_length=200, help_text=_("{date} is replaced by the day it opens.")
    )
    description = models.TextField(_("description"), max_length=settings.HELPDESK_MAX_BODY_CHARS)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A tier-1 team; empty: the category's escalation path decides."),
    )
    priority = models.CharField(
        _("priority"),
        max_length=2,
        choices=Priority.choices,
        blank=True,
        help_text=_("Empty: from impact × urgency (medium, medium)."),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Occurrences up to this instant are handled; the next sweep looks after it.
    handled_until = models.DateTimeField(default=timezone.now)
    next_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("recurring ticket")
        verbose_name_plural = _("recurring tickets")
        indexes = [
            # The sweep's scan: active schedules that are due.
            models.Index(fields=["next_run_at"], condition=models.Q(active=True), name="recurring_due"),
        ]

    def __str__(self) -> str:
        return self.name


class Occurrence(models.Model):
    """One due time of a schedule, handled once: the unique (schedule, due_at) makes a second worker
    or a re-run fail to insert it, so it never opens a second ticket."""

    class Outcome(models.TextChoices):
        OPENED = "opened", _("Ticket opened")
        SKIPPED = "skipped", _("Skipped: not a business day")

    schedule = models.ForeignKey(RecurringTicket, on_delete=models.CASCADE, related_name="occurrences")
    due_at = models.DateTimeField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Earlier occurrences that fell into a downtime and were folded into this one.
    missed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "due_at"], name="recurring_one_run_per_occurrence"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} @ {self.due_at:%Y-%m-%d %H:%M}"
