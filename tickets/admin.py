from django.contrib import admin

from .models import Category, EscalationPath, Tag, Ticket, TicketEvent


class EscalationPathInline(admin.TabularInline):
    model = EscalationPath
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_de", "parent")
    inlines = [EscalationPathInline]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    # Read-mostly: changes go through the agent workspace so that every one is an event.
    list_display = ("id", "subject", "status", "priority", "tier", "team", "assignee", "created_at")
    list_filter = ("status", "tier", "priority", "channel")
    search_fields = ("subject",)
    raw_id_fields = ("requester", "assignee", "resolved_by")
    readonly_fields = [f.name for f in Ticket._meta.fields]
    show_full_result_count = False


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "actor", "old_value", "new_value", "created_at")
    raw_id_fields = ("ticket", "actor")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001
        return False


admin.site.register(Tag)
