"""Reporting owns no ticket data — only the record of which weekly digests went out."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WeeklyDigest(models.Model):
    """One row per week whose digest was claimed; a second run for the same week sends nothing."""

    week_start = models.DateField(unique=True)
    claimed_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"digest {self.week_start}"


class DailyStat(models.Model):
    """The metrics' counters of one day, per (team, tier, category, channel): a summary table.

    ``population`` says which day a row belongs to: ``created`` rows count the tickets
    created that day, ``resolved`` rows those (last) resolved that day, the day in
    ``settings.TIME_ZONE``. Every column is a sum, so any period and any filter is a SUM
    over a few rows per day instead of a scan over the tickets. The rows are derived data:
    ``reporting.rollup`` rebuilds a day from the tickets whenever the database triggers
    mark it changed (``DirtyDay``), and reads a changed day live until then. A migration
    that adds a counter deletes ``RollupState`` (see 0006), so every day is cut anew.
    """

    class Population(models.TextChoices):
        CREATED = "created"
        RESOLVED = "resolved"

    day = models.DateField()
    population = models.CharField(max_length=8, choices=Population.choices)
    # Plain ids, no foreign keys: derived rows must neither block nor follow a deletion.
    team_id = models.IntegerField(null=True)
    tier = models.PositiveSmallIntegerField()
    category_id = models.IntegerField(null=True)
    channel = models.CharField(max_length=16)

    # population "resolved"
    resolved = models.IntegerField(db_default=0)
    flr = models.IntegerField(db_default=0)
    fcr = models.IntegerField(db_default=0)
    reopened = models.IntegerField(db_default=0)
    sla_fr_den = models.IntegerField(db_default=0)
    sla_fr_met = models.IntegerField(db_default=0)
    sla_res_den = models.IntegerField(db_default=0)
    sla_res_met = models.IntegerField(db_default=0)
    csat_sum = models.IntegerField(db_default=0)
    csat_responses = models.IntegerField(db_default=0)
    fr_count = models.IntegerField(db_default=0)
    escalated_resolved = models.IntegerField(db_default=0)
    # population "created"
    created = models.IntegerField(db_default=0)
    escalated = models.IntegerField(db_default=0)
    deescalated = models.IntegerField(db_default=0)
    deescalations = models.IntegerField(db_default=0)
    ping_pong = models.IntegerField(db_default=0)
    # Tier moves of the tickets created that day: events and tickets per (kind, from tier, to tier).
    esc_1_2_events = models.IntegerField(db_default=0)
    esc_1_2_tickets = models.IntegerField(db_default=0)
    esc_2_3_events = models.IntegerField(db_default=0)
    esc_2_3_tickets = models.IntegerField(db_default=0)
    esc_1_3_events = models.IntegerField(db_default=0)
    esc_1_3_tickets = models.IntegerField(db_default=0)
    deesc_2_1_events = models.IntegerField(db_default=0)
    deesc_2_1_tickets = models.IntegerField(db_default=0)
    deesc_3_2_events = models.IntegerField(db_default=0)
    deesc_3_2_tickets = models.IntegerField(db_default=0)
    deesc_3_1_events = models.IntegerField(db_default=0)
    deesc_3_1_tickets = models.IntegerField(db_default=0)

    class Meta:
        indexes = [models.Index(fields=["population", "day"], name="reporting_dailystat_day")]

    def __str__(self) -> str:
        return f"{self.population} {self.day}"


class DirtyDay(models.Model):
    """A UTC day with a ticket change the summary rows do not hold yet.

    Written by PostgreSQL triggers on tickets, ratings and tier-move events (migration
    0003), so every write counts — services, bulk updates, COPY, the admin alike. In UTC
    because a trigger knows no Django setting; a UTC day touches the local days around it.
    """

    day = models.DateField(primary_key=True)

    def __str__(self) -> str:
        return str(self.day)


class RollupState(models.Model):
    """One row: the time zone the summary rows were cut in (a change rebuilds them)."""

    time_zone = models.CharField(max_length=64)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.time_zone
