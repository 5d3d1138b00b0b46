"""Time spent on tickets: one row per piece of work, and the one running timer an agent may have."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier

# One entry is at most a day's work: more is a typing error (minutes for hours) or a forgotten timer.
MAX_MINUTES = 24 * 60


class TimeEntry(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered")
        TIMER = "timer", _("Timer")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="time_entries")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries")
    # The ticket's tier and team when the work was logged: totals per tier/team stay true after an escalation.
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The ticket's requester when the work was logged: the report per customer groups without a join.
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    date = models.DateField(help_text="The day the work was done (site time zone).")
    minutes = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)
    billable = models.BooleanField(default=False)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["ticket", "date"], name="time_ticket_date"),
            models.Index(fields=["date"], name="time_date"),
            models.Index(fields=["agent", "date"], name="time_agent_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=MAX_MINUTES), name="time_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.ticket_id} by {self.agent_id}"


class RunningTimer(models.Model):
    """An agent's running stopwatch, kept in the database so a reload or another tab shows it.
    One per agent: starting a timer on another ticket stops this one into an entry."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="running_timer"
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="running_timers")
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"timer of {self.agent_id} on {self.ticket_id}"
