"""Saved views: a named filter + sort + columns of the agent queue, personal or shared with teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

NAME_MAX = 80


class SavedView(models.Model):
    """``filters`` are the queue's filters as plain values (``QueueFilterForm.filters()``: ids,
    strings, ISO dates, the tab), validated by the services; ``columns`` keys of
    ``tickets.workspace.QUEUE_COLUMNS``. Who sees a view is ``savedviews.selectors``' alone: its owner,
    and the members of the teams a supervisor shared it with. (Sharing with the whole organisation
    would be one more field here and one more ``Q`` in ``saved_view_visible_qs``.)"""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=NAME_MAX)
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=30, default="newest")
    columns = models.JSONField(default=list, blank=True)
    shared_with_teams = models.ManyToManyField("accounts.Team", blank=True, related_name="saved_views")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_unique_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name
