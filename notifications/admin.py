from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "ticket", "kind", "address", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind", "channel")
    search_fields = ("address", "idempotency_key", "message_id")
    raw_id_fields = ("ticket", "event", "recipient")
    readonly_fields = ("idempotency_key", "message_id", "created_at", "sent_at")
