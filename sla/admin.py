from django.contrib import admin

from .models import Calendar, CustomHoliday, SlaAlert, SlaPolicy, TicketSla


class CustomHolidayInline(admin.TabularInline):
    model = CustomHoliday
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "holiday_state", "always_open"]
    inlines = [CustomHolidayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "calendar", "is_default", "category", "customer", "auto_escalate_on_breach"]
    list_select_related = ["calendar", "category", "customer"]
    raw_id_fields = ["customer"]


@admin.register(TicketSla)
class TicketSlaAdmin(admin.ModelAdmin):
    list_display = ["ticket", "policy", "first_response_due", "resolution_due", "paused_seconds"]
    list_select_related = ["ticket", "policy"]
    raw_id_fields = ["ticket"]

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False  # the clock is written by ticket events only


@admin.register(SlaAlert)
class SlaAlertAdmin(admin.ModelAdmin):
    list_display = ["ticket", "target", "kind", "tier", "charged_tier", "created_at"]
    list_filter = ["target", "kind"]
    raw_id_fields = ["ticket"]

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
