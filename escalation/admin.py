from django.contrib import admin

from .models import Consult, Deescalation, Escalation


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: escalations change through the services (each change is a ticket event)."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "ticket",
        "from_tier",
        "to_tier",
        "to_team",
        "reason",
        "status",
        "created_by",
        "created_at",
    )
    list_filter = ("status", "reason", "to_tier")
    raw_id_fields = ("ticket",)


@admin.register(Deescalation)
class DeescalationAdmin(ReadOnlyAdmin):
    list_display = ("id", "ticket", "from_tier", "to_tier", "to_team", "by", "at")
    raw_id_fields = ("ticket",)


@admin.register(Consult)
class ConsultAdmin(ReadOnlyAdmin):
    list_display = ("id", "ticket", "team", "status", "asked_by", "asked_at", "answered_by")
    list_filter = ("status",)
    raw_id_fields = ("ticket",)
