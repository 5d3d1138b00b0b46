from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class RetentionRule(models.Model):
    """ "Delete closed tickets older than N months": one global rule, and one rule per organisation
    that takes precedence for the requests of the people whose primary organisation it is (as its SLA
    policy does). ``privacy.retention.rule_tickets`` is the one place that decides which tickets a
    rule covers."""

    class Scope(models.TextChoices):
        GLOBAL = "global", _("All tickets")
        ORGANISATION = "organisation", _("One organisation")

    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, default=Scope.GLOBAL)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="retention_rules",
    )
    months = models.PositiveSmallIntegerField(
        _("closed for more than (months)"), validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scope", "months"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.UniqueConstraint(
                fields=["scope"], condition=models.Q(scope="global"), name="one_global_rule"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(scope="organisation"),
                name="one_rule_per_organisation",
            ),
            models.CheckConstraint(
                condition=(models.Q(scope="global", organisation__isnull=True))
                | models.Q(scope="organisation", organisation__isnull=False),
                name="retention_scope_matches_organisation",
            ),
            models.CheckConstraint(condition=models.Q(months__gte=1), name="retention_months_positive"),
        ]

    def __str__(self) -> str:
        scope = self.organisation.name if self.organisation_id else self.get_scope_display()
        return gettext("%(scope)s: closed tickets older than %(months)s months") % {
            "scope": scope,
            "months": self.months,
        }


class RetentionRun(models.Model):
    """What one run of one rule removed (the page lists them; the audit log has the same)."""

    rule = models.ForeignKey(RetentionRule, null=True, on_delete=models.SET_NULL, related_name="runs")
    ran_at = models.DateTimeField(default=timezone.now)
    cutoff = models.DateTimeField()
    months = models.PositiveSmallIntegerField()
    removed_tickets = models.PositiveIntegerField(default=0)
    removed_attachments = models.PositiveIntegerField(default=0)
    # The removed tickets' ids (up to RETENTION_IDS_KEPT): what exactly went.
    ticket_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"retention run {self.ran_at:%Y-%m-%d %H:%M}: {self.removed_tickets} tickets"


class ErasureToken(models.Model):
    """A one-time confirmation of erasing a person: the page (or the API) issues one, the erase
    consumes it under a row lock; a replayed request finds it used and is refused. Only its hash is
    kept."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "used_at"], name="erasure_token_person")]

    def __str__(self) -> str:
        return f"erasure confirmation for #{self.person_id}"
