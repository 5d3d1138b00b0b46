"""Output serializers (input serializers sit in the API classes). Handoffs go to agents only."""

from __future__ import annotations

from rest_framework import serializers

from .models import Consult, Deescalation, Escalation


class EscalationOutputSerializer(serializers.ModelSerializer):
    time_to_accept_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Escalation
        fields = [
            "id",
            "ticket",
            "from_tier",
            "to_tier",
            "from_team",
            "to_team",
            "reason",
            "summary",
            "steps_taken",
            "diagnostics",
            "customer_impact",
            "articles_tried",
            "created_by",
            "created_at",
            "status",
            "accepted_by",
            "accepted_at",
            "time_to_accept_seconds",
            "declined_by",
            "declined_at",
            "decline_reason",
        ]
        read_only_fields = fields

    def get_time_to_accept_seconds(self, obj: Escalation) -> int | None:
        return int(obj.time_to_accept.total_seconds()) if obj.time_to_accept is not None else None


class DeescalationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deescalation
        fields = ["id", "ticket", "from_tier", "to_tier", "from_team", "to_team", "instructions", "by", "at"]
        read_only_fields = fields


class ConsultOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consult
        fields = [
            "id",
            "ticket",
            "team",
            "question",
            "asked_by",
            "asked_at",
            "status",
            "answer",
            "answered_by",
            "answered_at",
            "escalation",
        ]
        read_only_fields = fields
