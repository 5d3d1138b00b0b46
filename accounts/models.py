from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Upper
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Tier(models.IntegerChoices):
    FIRST = 1, _("Tier 1")
    SECOND = 2, _("Tier 2")
    THIRD = 3, _("Tier 3")


class User(AbstractUser):
    class Role(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        AGENT = "agent", _("Agent")
        SUPERVISOR = "supervisor", _("Supervisor")

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER, db_index=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    teams = models.ManyToManyField("Team", related_name="members", blank=True)
    # Customers may turn off non-essential status mails (received/resolved/waiting always go out).
    email_updates = models.BooleanField(default=True)
    # Agents who are away are skipped by automatic routing.
    available = models.BooleanField(default=True)
    # Raised to end every session of the person on every device (a two-factor reset, an account turned
    # off, ...): it is part of the session hash Django checks on each request, like the password.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractUser.Meta):
        # The ticket search looks a requester up by email address, whatever its case (issue #16).
        indexes = [models.Index(Upper("email"), name="user_email_upper")]

    @property
    def is_supervisor(self) -> bool:
        return self.is_superuser or self.role == self.Role.SUPERVISOR

    @property
    def is_agent(self) -> bool:
        """Agents and supervisors work tickets; customers do not."""
        return self.is_superuser or self.role in (self.Role.AGENT, self.Role.SUPERVISOR)

    @property
    def is_customer(self) -> bool:
        return not self.is_agent

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, with the session epoch mixed in once it was ever raised (so
        sessions from before the epoch existed stay valid)."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "accounts.User.session_epoch",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def save(self, *args: object, **kwargs: object) -> None:
        # Admins are supervisors (API.md: createsuperuser makes an admin who is also a supervisor).
        if self.is_superuser and self.role != self.Role.SUPERVISOR:
            self.role = self.Role.SUPERVISOR
        update_fields = kwargs.get("update_fields")
        self._deactivated = False
        if (
            not self.is_active
            and self.pk is not None
            and not self._state.adding
            and (update_fields is None or "is_active" in update_fields)
            and type(self)._base_manager.filter(pk=self.pk, is_active=True).exists()
        ):
            # Turned off: every session ends now, and a later reactivation does not bring them back.
            self.session_epoch += 1
            self._deactivated = True
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "session_epoch"}
        super().save(*args, **kwargs)


class Team(models.Model):
    class Routing(models.TextChoices):
        MANUAL = "manual", _("Manual")
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_LOADED = "least_loaded", _("Least loaded")

    name = models.CharField(max_length=100, unique=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    specialty = models.CharField(max_length=200, blank=True)
    # The team that takes a ticket at this tier when the category names none.
    is_default_for_tier = models.BooleanField(default=False)
    routing = models.CharField(max_length=16, choices=Routing.choices, default=Routing.MANUAL)
    max_open_per_agent = models.PositiveIntegerField(default=20)

    class Meta:
        ordering = ["tier", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tier"],
                condition=models.Q(is_default_for_tier=True),
                name="one_default_team_per_tier",
            )
        ]

    def __str__(self) -> str:
        """The team with its tier in words ("Network · Tier 2"), as every choice of a team shows it."""
        return gettext("%(team)s · Tier %(tier)s") % {"team": self.name, "tier": self.tier}
