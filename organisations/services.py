"""Writes on organisations: the organisation itself with its domains, and its members.

Supervisors change everything; an organisation's managers change its members in the portal (only
customers with an address at one of its domains can be added there). Errors are ``ApplicationError``
with the field they concern (400 with field errors in the API, form errors in the browser).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import audit_queryset_update
from helpdesk.errors import ApplicationError

from .models import Domain, Membership, Organisation
from .selectors import is_manager, organisation_for_domain

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
BAD_DOMAIN = _("“%(domain)s” is not an email domain (like example.com).")
DOMAIN_TAKEN = _("The domain %(domain)s already belongs to %(organisation)s.")
NOT_A_CUSTOMER = _("Only customers can be members of an organisation.")
ALREADY_MEMBER = _("%(name)s is already a member.")
OUTSIDE_DOMAINS = _("Managers can add only people with an address at one of the organisation's domains.")
NO_SUCH_CUSTOMER = _("No customer has this email address.")
LAST_MANAGER = _("The organisation needs at least one manager: make someone else a manager first.")
NOT_ALLOWED = _("You may not change the members of this organisation.")


def _domains(values: Iterable[str], organisation: Organisation | None) -> list[str]:
    out: list[str] = []
    for raw in values:
        domain = raw.strip().lower().lstrip("@")
        if not domain:
            continue
        if not DOMAIN_RE.match(domain):
            raise ApplicationError(gettext(BAD_DOMAIN) % {"domain": raw.strip()}, field="domains")
        taken = Domain.objects.filter(domain=domain).select_related("organisation")
        if organisation is not None and organisation.pk is not None:
            taken = taken.exclude(organisation=organisation)
        other = taken.first()
        if other is not None:
            raise ApplicationError(
                gettext(DOMAIN_TAKEN) % {"domain": domain, "organisation": other.organisation.name},
                field="domains",
            )
        if domain not in out:
            out.append(domain)
    return out


@transaction.atomic
def organisation_save(
    *, organisation: Organisation | None = None, domains: Iterable[str] | None = None, **fields: Any
) -> Organisation:
    """Creates or changes an organisation; ``domains`` (when given) replaces its list."""
    org = organisation or Organisation()
    for name, value in fields.items():
        setattr(org, name, value)
    if isinstance(org.name, str):
        org.name = org.name.strip()
    try:
        org.full_clean(exclude=["sla_policy"] if org.sla_policy_id is None else None)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError(str(messages[0]), field=None if field == "__all__" else field) from None
    checked = _domains(domains, org) if domains is not None else None
    org.save()
    if checked is not None:
        org.domains.exclude(domain__in=checked).delete()
        for domain in checked:
            Domain.objects.get_or_create(organisation=org, domain=domain)
    return org


def organisation_delete(*, organisation: Organisation) -> None:
    organisation.delete()


def _check_can_manage(by: Any, organisation: Organisation) -> None:
    if by is None or getattr(by, "is_supervisor", False):
        return
    if not is_manager(user=by, organisation=organisation):
        raise ApplicationError(gettext(NOT_ALLOWED))


def _in_domains(user: User, organisation: Organisation) -> bool:
    domain = user.email.rsplit("@", 1)[-1].lower() if "@" in user.email else ""
    return bool(domain) and organisation.domains.filter(domain=domain).exists()


@transaction.atomic
def member_add(
    *,
    organisation: Organisation,
    user: User,
    by: Any = None,
    is_primary: bool | None = None,
    sees_all_tickets: bool = False,
    is_manager: bool = False,
) -> Membership:
    """``user`` joins; it becomes their primary organisation when they have none (or when asked)."""
    _check_can_manage(by, organisation)
    if not user.is_customer:
        raise ApplicationError(gettext(NOT_A_CUSTOMER), field="user")
    if by is not None and not by.is_supervisor and not _in_domains(user, organisation):
        raise ApplicationError(gettext(OUTSIDE_DOMAINS), field="email")
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        name = user.get_full_name() or user.email
        raise ApplicationError(gettext(ALREADY_MEMBER) % {"name": name}, field="user")
    has_primary = Membership.objects.filter(user=user, is_primary=True).exists()
    if is_primary is None:
        is_primary = not has_primary
    if is_primary and has_primary:
        audit_queryset_update(Membership.objects.filter(user=user, is_primary=True), is_primary=False)
    return Membership.objects.create(
        organisation=organisation,
        user=user,
        is_primary=is_primary,
        sees_all_tickets=sees_all_tickets,
        is_manager=is_manager,
    )


def member_add_by_email(*, organisation: Organisation, email: str, by: Any, **flags: Any) -> Membership:
    user = User.objects.filter(email__iexact=email.strip(), role=User.Role.CUSTOMER).first()
    if user is None:
        _check_can_manage(by, organisation)
        raise ApplicationError(gettext(NO_SUCH_CUSTOMER), field="email")
    try:
        return member_add(organisation=organisation, user=user, by=by, **flags)
    except ApplicationError as exc:
        if exc.field == "user":
            exc.field = "email"
        raise


def _managers_left(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, is_manager=True)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def member_update(
    *,
    membership: Membership,
    by: Any = None,
    sees_all_tickets: bool | None = None,
    is_manager: bool | None = None,
    is_primary: bool | None = None,
) -> Membership:
    _check_can_manage(by, membership.organisation)
    by_manager = by is not None and not by.is_supervisor
    if is_manager is False and membership.is_manager and by_manager and not _managers_left(membership):
        raise ApplicationError(gettext(LAST_MANAGER), field="is_manager")
    if sees_all_tickets is not None:
        membership.sees_all_tickets = sees_all_tickets
    if is_manager is not None:
        membership.is_manager = is_manager
    if is_primary and not membership.is_primary:
        audit_queryset_update(
            Membership.objects.filter(user_id=membership.user_id, is_primary=True), is_primary=False
        )
        membership.is_primary = True
    elif is_primary is False:
        membership.is_primary = False
    membership.save()
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, by: Any = None) -> None:
    _check_can_manage(by, membership.organisation)
    by_manager = by is not None and not by.is_supervisor
    if membership.is_manager and by_manager and not _managers_left(membership):
        raise ApplicationError(gettext(LAST_MANAGER))
    was_primary, user_id = membership.is_primary, membership.user_id
    membership.delete()
    if was_primary:
        # Another organisation of theirs (the oldest membership) becomes the primary one.
        nxt = Membership.objects.filter(user_id=user_id).order_by("created_at", "pk").first()
        if nxt is not None:
            nxt.is_primary = True
            nxt.save(update_fields=["is_primary"])


def membership_by_domain(*, user: User) -> Membership | None:
    """A new customer joins the organisation of their email domain (if one has it)."""
    organisation = organisation_for_domain(user.email)
    if organisation is None:
        return None
    try:
        with transaction.atomic():
            return member_add(organisation=organisation, user=user)
    except (ApplicationError, IntegrityError):
        return None
