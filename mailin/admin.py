from django.contrib import admin, messages

from .models import InboundMail, Mailbox, Participant
from .services import inbound_reprocess


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "host", "username", "active", "last_polled_at", "last_error")


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    """The quarantine list: supervisors reprocess from here."""

    list_display = ("id", "from_address", "subject", "status", "reason", "ticket", "received_at")
    list_filter = ("status",)
    search_fields = ("from_address", "subject", "message_id")
    readonly_fields = [f.name for f in InboundMail._meta.fields]
    actions = ["reprocess"]
    show_full_result_count = False

    @admin.action(description="Reprocess the selected quarantined mails")
    def reprocess(self, request, queryset):  # noqa: ANN001, ANN201
        done = [
            inbound_reprocess(pk=pk)
            for pk in queryset.filter(status="quarantined").values_list("pk", flat=True)
        ]
        ok = sum(1 for m in done if m.status == InboundMail.Status.PROCESSED)
        self.message_user(request, f"{ok} of {len(done)} processed", messages.INFO)


admin.site.register(Participant)
