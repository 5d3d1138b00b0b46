"""Single sign-on (issue #14): which directory groups make whom staff, who is linked to which external
identity, the sign-in settings, and a record of every single sign-on.

The rules of the mapping live in ``sso.services.provision`` (and docs/sso.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    LDAP = "ldap", _("LDAP / Active Directory")
    SAML = "saml", _("SAML 2.0")


class StaffRole(models.TextChoices):
    """The roles a mapping may grant (never "customer": that is what no mapping means)."""

    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")


class GroupMapping(models.Model):
    """Members of ``group`` at ``source`` are staff with ``role`` and members of ``teams``.

    The agent's tier is the tier of the teams (a tier-1 agent is a member of a tier-1 team)."""

    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    group = models.CharField(
        _("group"),
        max_length=255,
        help_text=_(
            "The group's name as the directory sends it (compared without regard to case), e.g. "
            "helpdesk-agents or the full DN of an LDAP group."
        ),
    )
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices, default=StaffRole.AGENT)
    teams = models.ManyToManyField("accounts.Team", verbose_name=_("teams"), related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source", "group"]
        verbose_name = _("group mapping")
        verbose_name_plural = _("group mappings")
        constraints = [
            models.UniqueConstraint("source", Lower("group"), name="sso_one_mapping_per_group"),
        ]

    def __str__(self) -> str:
        return gettext("%(group)s (%(source)s)") % {"group": self.group, "source": self.get_source_display()}


class SsoSettings(models.Model):
    """One row (pk 1): the sign-in settings supervisors change on the single sign-on page."""

    class Unmapped(models.TextChoices):
        CUSTOMER = "customer", _("Sign in as customers")
        REFUSE = "refuse", _("Are refused")

    staff_passwords_off = models.BooleanField(
        _("local passwords off for staff"),
        default=False,
        help_text=_(
            "Agents and supervisors must sign in with single sign-on; their passwords no longer work "
            "(sign-in page, API token, admin). Customers keep their passwords."
        ),
    )
    unmapped = models.CharField(
        _("people in no mapped group"),
        max_length=8,
        choices=Unmapped.choices,
        default=Unmapped.CUSTOMER,
    )

    class Meta:
        verbose_name = _("sign-in settings")
        verbose_name_plural = _("sign-in settings")

    def __str__(self) -> str:
        return gettext("Sign-in settings")


class ExternalIdentity(models.Model):
    """A person's account at one source (``external_id``: OIDC ``sub``, LDAP DN/username, SAML NameID),
    and what the group mapping granted them at their last sign-in there (what the mapping owns)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    external_id = models.CharField(max_length=512)
    # The role the mapping set (blank: the mapping owns no role) and the role to return to without it.
    granted_role = models.CharField(max_length=16, blank=True)
    role_before = models.CharField(max_length=16, blank=True)
    # Teams the mapping made the person join (not those they were in already).
    granted_teams = models.ManyToManyField("accounts.Team", related_name="+", blank=True)
    groups = models.JSONField(default=list, blank=True)  # as sent at the last sign-in
    created_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="sso_one_identity_per_source_id"),
            models.UniqueConstraint(fields=["user", "source"], name="sso_one_identity_per_user_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class SignIn(models.Model):
    """One single sign-on, accepted or refused (refused ones may have no user yet)."""

    class Outcome(models.TextChoices):
        OK = "ok", _("Signed in")
        INACTIVE = "inactive", _("Refused: account disabled")
        UNMAPPED = "unmapped", _("Refused: in no mapped group")
        CONFLICT = "conflict", _("Refused: address belongs to another identity")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.OK)
    created = models.BooleanField(default=False)  # the account was made by this sign-in

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="sso_signin_user")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.source} {self.outcome}"
