"""The audit log's one table. Append-only: no update or delete path in the app (the model and its
queryset refuse them), the Django admin shows it read-only, and on PostgreSQL a trigger refuses
UPDATE and DELETE of its rows (migration 0002), whatever the code path.

Entries never copy a person's name or address: the actor and, for users, the object are kept by id
and shown by their current display name, so an erased person appears as their tombstone here too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = "The audit log is append-only: entries cannot be changed or deleted."


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise PermissionError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(APPEND_ONLY)

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise PermissionError(APPEND_ONLY)


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Changed")
        DELETED = "deleted", _("Deleted")
        EXPORTED = "exported", _("Personal data exported")
        ERASED = "erased", _("Person erased")
        RETENTION = "retention", _("Retention run")
        # A person's sign-in credentials (issue #14): recorded on the person, never with a code or token.
        TWO_FACTOR_ON = "2fa_on", _("Two-factor authentication turned on")
        TWO_FACTOR_OFF = "2fa_off", _("Two-factor authentication turned off")
        TWO_FACTOR_RESET = "2fa_reset", _("Two-factor authentication reset")
        RECOVERY_CODES = "2fa_codes", _("New recovery codes")
        TOKEN_CREATED = "token_new", _("API token created")
        TOKEN_REVOKED = "token_revoke", _("API token revoked")

    at = models.DateTimeField(_("when"), default=timezone.now)
    # Kept by id without a database constraint: a user who acted can still be deleted (the id stays and
    # is shown as such), and no cascade ever has to touch this table.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    # The registered model's label ("sla.slapolicy"), or the area of an event ("privacy").
    model = models.CharField(_("what"), max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # Counts and ids of an event (an export's contents, what a retention run removed).
    details = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log entries")
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at"),
            models.Index(fields=["model", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "-at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.model} {self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError(APPEND_ONLY)
