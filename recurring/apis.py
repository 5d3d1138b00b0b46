"""``/api/v1/recurring/``: supervisors list, create, change and delete recurring tickets; each
carries its next runs (ISO 8601 in the site's time zone)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets

from accounts.models import Team, User
from accounts.permissions import IsSupervisor

from . import services
from .models import RecurringTicket


class RecurringTicketSerializer(serializers.ModelSerializer):
    requester = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(role=User.Role.CUSTOMER))
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20, allow_empty=True
    )
    next_runs = serializers.SerializerMethodField()

    class Meta:
        model = RecurringTicket
        fields = [
            "id", "name", "cron", "calendar", "active", "subject", "description", "requester", "category",
            "team", "priority", "tags", "next_run_at", "next_runs", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "next_run_at", "next_runs", "created_at"]

    def get_next_runs(self, obj: RecurringTicket) -> list[str]:
        return [d.isoformat() for d in services.next_runs(schedule=obj, count=5)]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return services.schedule_validate(data=dict(attrs))


class RecurringTicketViewSet(viewsets.ModelViewSet):
    serializer_class = RecurringTicketSerializer
    permission_classes = [IsSupervisor]
    queryset = RecurringTicket.objects.select_related("calendar").order_by("id")
    filter_backends: list = []

    def perform_create(self, serializer: RecurringTicketSerializer) -> None:
        serializer.instance = services.schedule_save(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: RecurringTicketSerializer) -> None:
        serializer.instance = services.schedule_save(
            by=self.request.user, instance=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: RecurringTicket) -> None:
        services.schedule_delete(schedule=instance)
