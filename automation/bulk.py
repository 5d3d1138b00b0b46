"""Macros as a bulk action of the queue's selection bar and of ``POST /api/v1/tickets/bulk/``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tickets.bulk import SKIP_CLOSED, SKIP_REASONS, SKIP_UNCHANGED, BulkAction, Skip
from tickets.models import Ticket

from .models import Run
from .services import apply_macro, macro_visible_qs


class MacroParams(serializers.Serializer):
    macro = serializers.IntegerField()

    def validate_macro(self, value: int) -> int:
        # Only a macro the acting agent may apply (shared, or their own); the worker asks again.
        if not macro_visible_qs(user=self.context.get("actor")).filter(pk=value).exists():
            raise serializers.ValidationError(_("Choose one of your macros or a shared one."))
        return value


def apply_macro_bulk(ticket: Ticket, actor: Any, params: dict) -> Skip | None:
    macro = macro_visible_qs(user=actor).get(pk=params["macro"])
    if ticket.status == Ticket.Status.CLOSED:
        return Skip(SKIP_CLOSED, str(SKIP_REASONS[SKIP_CLOSED]))
    run = apply_macro(ticket, macro, actor)
    if run.outcome == Run.Outcome.NO_CHANGE:
        return Skip(SKIP_UNCHANGED, str(SKIP_REASONS[SKIP_UNCHANGED]))
    return None


ACTION = BulkAction(
    "macro",
    gettext_lazy("Apply macro"),
    MacroParams,
    apply_macro_bulk,
    order=15,
    template="automation/_bulk_fields.html",
)
