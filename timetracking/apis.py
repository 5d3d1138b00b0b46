"""``/api/v1/tickets/{id}/time-entries/`` (list, create; one entry: read, update, delete),
``…/time-entries/totals/``. Agents change their own
entries, supervisors everybody's; customers get 403; a ticket they may not see is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAgent
from tickets.apis import ChronologicalPagination
from tickets.models import Ticket
from tickets.selectors import ticket_get_for_user

from . import services
from .models import TimeEntry
from .selectors import ticket_time_entries, ticket_time_summary


class TimeEntrySerializer(serializers.ModelSerializer):
    agent_name = serializers.SerializerMethodField()
    date = serializers.DateField(required=False)
    # The range is the service's to check, with its own messages; this only keeps out non-numbers.
    minutes = serializers.IntegerField()

    class Meta:
        model = TimeEntry
        fields = [
            "id", "ticket", "agent", "agent_name", "tier", "team", "date", "minutes", "note",
            "billable", "source", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "ticket", "agent", "tier", "team", "source", "created_at", "updated_at"]

    def get_agent_name(self, entry: TimeEntry) -> str:
        return entry.agent.get_full_name() or entry.agent.username


class _TicketTimeMixin:
    permission_classes = [IsAgent]
    request: Request
    kwargs: dict[str, Any]

    def ticket(self) -> Ticket:
        if not hasattr(self, "_ticket"):
            self._ticket = ticket_get_for_user(user=self.request.user, pk=self.kwargs["ticket_id"])
        return self._ticket

    def get_queryset(self) -> QuerySet[TimeEntry]:
        if getattr(self, "swagger_fake_view", False):
            return TimeEntry.objects.none()
        return ticket_time_entries(user=self.request.user, ticket=self.ticket())


class TicketTimeEntryListCreateApi(_TicketTimeMixin, generics.ListCreateAPIView):
    serializer_class = TimeEntrySerializer
    pagination_class = ChronologicalPagination
    filter_backends: list = []

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.ticket()  # 404 before anything else
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer: TimeEntrySerializer) -> None:
        serializer.instance = services.time_entry_create(
            ticket=self.ticket(), by=self.request.user, **serializer.validated_data
        )


class TicketTimeEntryDetailApi(_TicketTimeMixin, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = TimeEntrySerializer
    lookup_url_kwarg = "entry_id"

    def _check(self, entry: TimeEntry) -> None:
        if not services.can_change(entry=entry, user=self.request.user):
            raise PermissionDenied(str(services.NOT_YOUR_ENTRY))

    def perform_update(self, serializer: TimeEntrySerializer) -> None:
        self._check(serializer.instance)
        serializer.instance = services.time_entry_update(
            entry=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: TimeEntry) -> None:
        self._check(instance)
        services.time_entry_delete(entry=instance, by=self.request.user)


_AGENT_TOTAL = {
    "agent": serializers.IntegerField(),
    "name": serializers.CharField(),
    "minutes": serializers.IntegerField(),
    "billable_minutes": serializers.IntegerField(),
}


class TicketTimeTotalsApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        responses=inline_serializer(
            "TicketTimeTotals",
            {
                "minutes": serializers.IntegerField(),
                "billable_minutes": serializers.IntegerField(),
                "entries": serializers.IntegerField(),
                "by_agent": inline_serializer("TimeAgentTotal", _AGENT_TOTAL, many=True),
            },
        )  # fmt: skip
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        return Response(ticket_time_summary(ticket=ticket))
