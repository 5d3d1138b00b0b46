"""Reads of the escalation app. Handoffs are agent-only: customers get empty querysets (and 404s)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Team
from tickets.models import Ticket

from .models import Consult, Deescalation, Escalation

# A queue page shows at most this many rows per list; the oldest wait longest and come first.
QUEUE_LIMIT = 50


def _is_agent(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_agent)


def escalation_visible_qs(*, user: Any) -> QuerySet[Escalation]:
    """Escalations this user may see: agents all, everyone else none."""
    return Escalation.objects.all() if _is_agent(user) else Escalation.objects.none()


def consult_visible_qs(*, user: Any) -> QuerySet[Consult]:
    return Consult.objects.all() if _is_agent(user) else Consult.objects.none()


def escalation_get_for_user(*, user: Any, pk: int | str) -> Escalation:
    try:
        return (
            escalation_visible_qs(user=user).select_related("ticket", "to_team", "from_team").get(pk=int(pk))
        )
    except (Escalation.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def consult_get_for_user(*, user: Any, pk: int | str) -> Consult:
    try:
        return consult_visible_qs(user=user).select_related("ticket", "team").get(pk=int(pk))
    except (Consult.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


class EscalationFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="to_team_id")
    from_team = django_filters.NumberFilter(field_name="from_team_id")
    status = django_filters.ChoiceFilter(choices=Escalation.Status.choices)
    ticket = django_filters.NumberFilter(field_name="ticket_id")

    class Meta:
        model = Escalation
        fields = ["team", "from_team", "status", "ticket"]


def handoffs_for(ticket: Ticket) -> QuerySet[Escalation]:
    """Every handoff of a ticket, newest first (the knowledge base drafts articles from these)."""
    return ticket.escalations.select_related(
        "created_by", "from_team", "to_team", "accepted_by", "declined_by"
    )


def deescalations_for(ticket: Ticket) -> QuerySet[Deescalation]:
    return ticket.deescalations.select_related("by", "from_team", "to_team")


def consults_for(ticket: Ticket) -> QuerySet[Consult]:
    return ticket.consults.select_related("team", "asked_by", "answered_by")


def article_draft_for(ticket: Ticket) -> dict[str, Any] | None:
    """What a knowledge-base draft of an escalated, resolved ticket starts from; None if never escalated."""
    latest = handoffs_for(ticket).first()
    if latest is None:
        return None
    return {
        "title": ticket.subject,
        "problem": latest.summary,
        "steps_taken": latest.steps_taken,
        "diagnostics": latest.diagnostics,
        "resolution": ticket.resolution,
        "articles_tried": latest.articles_tried,
        "category": ticket.category_id,
        "language": ticket.language,
    }


def user_team_ids(user: Any) -> list[int]:
    team_ids = list(user.teams.values_list("pk", flat=True))
    if not team_ids and user.is_supervisor:
        # A supervisor outside every team watches all queues.
        return list(Team.objects.values_list("pk", flat=True))
    return team_ids


# Only what a queue row shows: handoffs carry long texts (steps, diagnostics, impact) and a ticket
# has some forty columns; loading all of them for 50 rows cost more than the queries themselves.
_PERSON_FIELDS = ("username", "first_name", "last_name")


def _escalation_queue(team_ids: list[int]) -> list[Escalation]:
    return list(
        Escalation.objects.filter(status=Escalation.Status.PENDING, to_team_id__in=team_ids)
        .select_related("ticket", "to_team", "from_team", "created_by")
        .only(
            "ticket_id", "to_tier", "reason", "summary", "created_at",
            "ticket__subject", "ticket__priority",
            "to_team__name", "from_team__name",
            *(f"created_by__{f}" for f in _PERSON_FIELDS),
        )
        .order_by("created_at", "id")[:QUEUE_LIMIT]
    )  # fmt: skip


def _consult_queue(team_ids: list[int]) -> list[Consult]:
    return list(
        Consult.objects.filter(status=Consult.Status.OPEN, team_id__in=team_ids)
        .select_related("ticket", "team", "asked_by")
        .only(
            "ticket_id", "question", "asked_at",
            "ticket__subject", "team__name",
            *(f"asked_by__{f}" for f in _PERSON_FIELDS),
        )
        .order_by("asked_at", "id")[:QUEUE_LIMIT]
    )  # fmt: skip


def escalation_queue(*, user: Any) -> list[Escalation]:
    """Pending escalations for the user's teams, longest waiting (earliest ``created_at``) first."""
    return _escalation_queue(user_team_ids(user))


def consult_queue(*, user: Any) -> list[Consult]:
    """Open consults asked of the user's teams, longest waiting first."""
    return _consult_queue(user_team_ids(user))


def queues_for(*, user: Any) -> tuple[list[Escalation], list[Consult]]:
    """Both lists of the queue page, looking up the user's teams once."""
    team_ids = user_team_ids(user)
    return _escalation_queue(team_ids), _consult_queue(team_ids)
