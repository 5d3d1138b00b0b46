"""Reads. Who sees which organisation, and whose tickets an organisation member sees.

This module knows nothing of tickets: ``tickets.selectors.ticket_visible_qs`` (the one ticket
visibility selector) asks ``shared_requesters`` whose requests a customer sees besides their own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Membership, Organisation


def _signed_in(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def sharing_memberships(*, user: Any) -> QuerySet[Membership]:
    """The user's memberships that show them the organisation's tickets: a manager, the per-member
    right, or an organisation that lets all its members see each other's tickets."""
    # Subqueries, no JOIN: the ticket selector's statement stays a plain read of the ticket table.
    sharing = Organisation.objects.filter(members_see_all_tickets=True).values("pk")
    return Membership.objects.filter(user=user).filter(
        Q(is_manager=True) | Q(sees_all_tickets=True) | Q(organisation_id__in=sharing)
    )


def shared_requesters(*, user: Any) -> QuerySet[Membership]:
    """User ids (a subquery, no query of its own) whose tickets ``user`` sees through an organisation."""
    orgs = sharing_memberships(user=user).values("organisation_id")
    return Membership.objects.filter(organisation_id__in=orgs).values("user_id")


def organisation_visible_qs(*, user: Any) -> QuerySet[Organisation]:
    """Agents all organisations; customers the ones they belong to; anonymous none."""
    qs = Organisation.objects.all()
    if not _signed_in(user):
        return qs.none()
    if user.is_agent:
        return qs
    return qs.filter(Exists(Membership.objects.filter(organisation=OuterRef("pk"), user=user)))


def membership_visible_qs(*, user: Any, organisation: Organisation) -> QuerySet[Membership]:
    """Agents and the organisation's managers see all its members; another member only themselves."""
    qs = organisation.memberships.select_related("user")
    if not _signed_in(user):
        return qs.none()
    if user.is_agent or is_manager(user=user, organisation=organisation):
        return qs
    return qs.filter(user=user)


def is_manager(*, user: Any, organisation: Organisation) -> bool:
    if not _signed_in(user):
        return False
    return Membership.objects.filter(organisation=organisation, user=user, is_manager=True).exists()


def memberships_of(*, user: Any) -> list[Membership]:
    """The user's memberships, the primary one first (one query)."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("-is_primary", "organisation__name")
    )


def organisation_for_domain(email: str) -> Organisation | None:
    domain = email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""
    if not domain:
        return None
    return Organisation.objects.filter(domains__domain=domain).first()


def contract_runs(organisation: Organisation, day: date) -> bool:
    starts, ends = organisation.contract_starts, organisation.contract_ends
    return (starts is None or starts <= day) and (ends is None or day <= ends)


def contract_policy_q(*, requester_id: Any, day: date, prefix: str = "") -> Q:
    """Organisations whose contract policy applies to a ticket of ``requester_id`` created on ``day``:
    the requester's primary organisation, while its contract runs."""
    return (
        Q(
            **{
                f"{prefix}memberships__user_id": requester_id,
                f"{prefix}memberships__is_primary": True,
            }
        )
        & (Q(**{f"{prefix}contract_starts__isnull": True}) | Q(**{f"{prefix}contract_starts__lte": day}))
        & (Q(**{f"{prefix}contract_ends__isnull": True}) | Q(**{f"{prefix}contract_ends__gte": day}))
    )


def organisation_member_ids(organisation_id: int) -> QuerySet[Membership]:
    """The members' user ids (a subquery): the organisation's tickets are its members' requests."""
    return Membership.objects.filter(organisation_id=organisation_id).values("user_id")


def primary_member_ids(organisation_ids: Any) -> QuerySet[Membership]:
    """The user ids (a subquery) of the people whose primary organisation is one of ``organisation_ids``
    (ids or a subquery of them): whose requests an organisation's own rules cover."""
    return Membership.objects.filter(organisation_id__in=organisation_ids, is_primary=True).values("user_id")
