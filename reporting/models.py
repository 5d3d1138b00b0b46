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
