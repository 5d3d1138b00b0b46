from __future__ import annotations

from rest_framework import serializers

from .models import Notification


class NotificationOutputSerializer(serializers.ModelSerializer):
    recipient = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id", "kind", "channel", "recipient", "address", "language", "subject", "status", "attempts",
            "next_attempt_at", "last_error", "sent_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
