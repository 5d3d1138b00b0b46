"""SLA API: policies and calendars. Supervisors write, agents read, customers get 403."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .models import Calendar, SlaPolicy
from .permissions import AgentReadSupervisorWrite
from .serializers import (
    CalendarInputSerializer,
    CalendarOutputSerializer,
    PolicyInputSerializer,
    PolicyOutputSerializer,
)


@extend_schema(request=PolicyInputSerializer, responses=PolicyOutputSerializer)
class SlaPolicyViewSet(viewsets.ModelViewSet):
    permission_classes = [AgentReadSupervisorWrite]
    serializer_class = PolicyOutputSerializer
    filterset_fields = ["calendar", "category", "customer", "is_default"]
    ordering_fields = ["id", "name"]

    def get_queryset(self) -> Any:
        return selectors.policy_list()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        policy = services.sla_policy_save(**data.to_model_fields())
        return Response(PolicyOutputSerializer(policy).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        policy: SlaPolicy = self.get_object()
        data = PolicyInputSerializer(data=request.data, partial=kwargs.get("partial", False), policy=policy)
        data.is_valid(raise_exception=True)
        policy = services.sla_policy_save(policy=policy, **data.to_model_fields())
        return Response(PolicyOutputSerializer(policy).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.sla_policy_delete(policy=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=CalendarInputSerializer, responses=CalendarOutputSerializer)
class SlaCalendarViewSet(viewsets.ModelViewSet):
    permission_classes = [AgentReadSupervisorWrite]
    serializer_class = CalendarOutputSerializer
    ordering_fields = ["id", "name"]

    def get_queryset(self) -> Any:
        return selectors.calendar_list()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CalendarInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        calendar = services.calendar_save(**data.validated_data)
        return Response(CalendarOutputSerializer(_reload(calendar)).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        calendar: Calendar = self.get_object()
        data = CalendarInputSerializer(
            data=request.data, partial=kwargs.get("partial", False), calendar=calendar
        )
        data.is_valid(raise_exception=True)
        calendar = services.calendar_save(calendar=calendar, **data.validated_data)
        return Response(CalendarOutputSerializer(_reload(calendar)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.calendar_delete(calendar=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _reload(calendar: Calendar) -> Calendar:
    return selectors.calendar_list().get(pk=calendar.pk)
