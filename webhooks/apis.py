from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from .models import EVENTS, Attempt, Delivery, Webhook
from .services import webhook_send_test, webhook_validate


class IsSupervisor(BasePermission):
    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        return bool(request.user and request.user.is_authenticated and request.user.is_supervisor)


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS), allow_empty=False)
    secret = serializers.CharField(write_only=True, required=False, min_length=16, max_length=200)

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "secret", "active", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs: dict) -> dict:
        url = attrs.get("url", getattr(self.instance, "url", ""))
        events = attrs.get("events", getattr(self.instance, "events", []))
        webhook_validate(url=url, events=events)
        return attrs


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["at", "status_code", "error", "duration_ms"]


class DeliverySerializer(serializers.ModelSerializer):
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "event", "status", "attempts", "last_status_code", "last_error",
            "next_attempt_at", "created_at", "delivered_at", "payload", "attempt_log",
        ]  # fmt: skip


class WebhookViewSet(viewsets.ModelViewSet):
    """Supervisors manage webhooks; everyone else gets 403."""

    serializer_class = WebhookSerializer
    permission_classes = [IsSupervisor]
    queryset = Webhook.objects.all()
    filter_backends: list = []

    def perform_create(self, serializer: WebhookSerializer) -> None:
        serializer.save(created_by=self.request.user)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        webhook = self.get_object()
        qs = webhook.deliveries.prefetch_related("attempt_log").order_by("-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        webhook = self.get_object()
        with transaction.atomic():
            delivery = webhook_send_test(webhook=webhook)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
