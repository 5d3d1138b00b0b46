"""Reads of the automation app (visibility: macros through ``services.macro_visible_qs``; rules and logs
are agents' configuration, shown to agents only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tickets.models import Ticket

from .actions import describe
from .models import Macro, Rule, Run


def with_descriptions(objects: list[Any]) -> list[Any]:
    """Each macro / rule with ``action_lines`` (names, not ids): one query per kind of name, not per row."""
    everything = [a for obj in objects for a in obj.actions]
    lines = iter(describe(everything))
    for obj in objects:
        obj.action_lines = [next(lines) for _a in obj.actions]
    return objects


def runs_for_ticket(*, ticket: Ticket, limit: int | None = None) -> list[Run]:
    qs: QuerySet[Run] = (
        Run.objects.filter(ticket=ticket).select_related("actor").order_by("-created_at", "-id")
    )
    runs = list(qs[:limit] if limit else qs)
    everything = [a for run in runs for a in run.changes]
    lines = iter(describe(everything))
    for run in runs:
        run.change_lines = [next(lines) for _a in run.changes]
    return runs


def rule_list() -> list[Rule]:
    return with_descriptions(list(Rule.objects.order_by("position", "id")))


def macro_list(*, user: Any) -> list[Macro]:
    from .services import macro_visible_qs

    return with_descriptions(
        list(macro_visible_qs(user=user).select_related("owner").order_by("-shared", "name"))
    )
