"""Organisations: the companies customers work for, their email domains, and who belongs to which."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A customer company. Its tickets are the tickets of its members."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    # Off by default: members see only their own requests unless they have the right themselves.
    members_see_all_tickets = models.BooleanField(_("members see each other's tickets"), default=False)
    # For agents only (the ticket page's organisation panel); never shown to customers.
    notes = models.TextField(_("notes for agents"), blank=True)
    # The contract's policy; it applies to tickets created while the contract runs (open ends allowed).
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
        verbose_name=_("SLA policy"),
    )
    contract = models.CharField(_("contract"), max_length=200, blank=True)
    contract_starts = models.DateField(_("contract starts"), null=True, blank=True)
    contract_ends = models.DateField(_("contract ends"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.contract_starts and self.contract_ends and self.contract_starts > self.contract_ends:
            raise ValidationError({"contract_ends": _("The contract cannot end before it starts.")})


class Domain(models.Model):
    """An email domain of an organisation: new customers with an address there join it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("email domain"), max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class Membership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_memberships"
    )
    is_primary = models.BooleanField(_("primary organisation"), default=False)
    sees_all_tickets = models.BooleanField(_("sees all of the organisation's tickets"), default=False)
    # Managers manage the members in the portal and see all of the organisation's tickets.
    is_manager = models.BooleanField(_("organisation manager"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_organisation"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_primary=True), name="one_primary_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    @property
    def sees_organisation_tickets(self) -> bool:
        return self.is_manager or self.sees_all_tickets or self.organisation.members_see_all_tickets
