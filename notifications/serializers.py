from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .inbox import PREFERENCE_TOPICS
from .models import InAppNotification, Notification, TicketFollower


class NotificationOutputSerializer(serializers.ModelSerializer):
    recipient = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id", "kind", "channel", "recipient", "address", "language", "subject", "status", "attempts",
            "next_attempt_at", "last_error", "sent_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class InAppNotificationOutputSerializer(serializers.ModelSerializer):
    """An item of the agent's list; ``text`` and ``topic_label`` in the caller's language."""

    text = serializers.CharField(read_only=True)
    topic_label = serializers.CharField(read_only=True)
    ticket = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = InAppNotification
        fields = [
            "id",
            "topic",
            "topic_label",
            "text",
            "excerpt",
            "ticket",
            "actor",
            "created_at",
            "read",
            "read_at",
        ]
        read_only_fields = fields

    def get_ticket(self, obj: InAppNotification) -> dict:
        return {"id": obj.ticket_id, "reference": obj.ticket.reference, "subject": obj.ticket.subject}

    def get_actor(self, obj: InAppNotification) -> dict | None:
        if obj.actor is None:
            return None
        return {"id": obj.actor_id, "name": obj.actor.get_full_name() or obj.actor.username}

    def get_read(self, obj: InAppNotification) -> bool:
        return obj.read_at is not None


class FollowerOutputSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = TicketFollower
        fields = ["user", "name", "reason", "created_at"]
        read_only_fields = fields

    def get_name(self, obj: TicketFollower) -> str:
        return obj.user.get_full_name() or obj.user.username


class PreferenceSerializer(serializers.Serializer):
    topic = serializers.ChoiceField(choices=[(t, t) for t in PREFERENCE_TOPICS])
    label = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField(required=False)
    mail = serializers.BooleanField(required=False)


class PreferencesInputSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True, allow_empty=False)

    def validate_preferences(self, value: list[dict]) -> list[dict]:
        topics = [p["topic"] for p in value]
        if len(set(topics)) != len(topics):
            raise serializers.ValidationError(_("Each topic may appear once."))
        return value
