"""REST: ``/api/v1/macros/`` (agents: their own and the shared ones), ``/api/v1/rules/`` (supervisors),
``POST /api/v1/tickets/{id}/apply-macro/`` and ``GET /api/v1/tickets/{id}/automation-log/``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAgent, IsSupervisor
from helpdesk.api import CursorPagination
from tickets.selectors import ticket_get_for_user

from . import selectors, services
from .actions import describe
from .models import Macro, Rule, Run


class MacroSerializer(serializers.ModelSerializer):
    actions = serializers.JSONField()
    action_lines = serializers.SerializerMethodField()
    owner = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Macro
        fields = ["id", "name", "description", "shared", "owner", "actions", "action_lines", "updated_at"]
        read_only_fields = ["id", "owner", "updated_at"]

    def get_action_lines(self, macro: Macro) -> list[str]:
        return getattr(macro, "action_lines", None) or selectors.with_descriptions([macro])[0].action_lines


class _Ordered(CursorPagination):
    ordering = ("name", "id")


class MacroViewSet(viewsets.ModelViewSet):
    """Agents list, create and apply macros; shared ones are written by supervisors only."""

    serializer_class = MacroSerializer
    permission_classes = [IsAgent]
    pagination_class = _Ordered
    filter_backends: list = []

    def get_queryset(self) -> Any:
        return services.macro_visible_qs(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        items = selectors.with_descriptions(list(page or []))
        return self.get_paginated_response(self.get_serializer(items, many=True).data)

    def _save(self, serializer: MacroSerializer, macro: Macro | None) -> None:
        data = serializer.validated_data
        get = (lambda k, d: data.get(k, getattr(macro, k))) if macro else (lambda k, d: data.get(k, d))
        serializer.instance = services.macro_save(
            user=self.request.user,
            macro=macro,
            name=get("name", ""),
            description=get("description", ""),
            shared=get("shared", False),
            actions=get("actions", []),
        )

    def perform_create(self, serializer: MacroSerializer) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: MacroSerializer) -> None:
        self._save(serializer, serializer.instance)

    def perform_destroy(self, instance: Macro) -> None:
        services.macro_delete(macro=instance, user=self.request.user)


class RunSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    change_lines = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Run
        fields = ["id", "kind", "rule", "macro", "name", "event", "anchor", "actor", "outcome", "changes",
                  "change_lines", "error", "depth", "created_at"]  # fmt: skip

    def get_kind(self, run: Run) -> str:
        return "macro" if run.macro_id or run.actor_id else "rule"

    def get_actor(self, run: Run) -> str | None:
        return (run.actor.get_full_name() or run.actor.username) if run.actor else None


class TicketApplyMacroApi(APIView):
    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        macro = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={200: RunSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        macro = get_object_or_404(
            services.macro_visible_qs(user=request.user), pk=data.validated_data["macro"]
        )
        with transaction.atomic():
            run = services.apply_macro(ticket, macro, request.user)
        run.change_lines = describe(run.changes)
        return Response(RunSerializer(run).data)


class TicketAutomationLogApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(responses=RunSerializer(many=True))
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        return Response(RunSerializer(selectors.runs_for_ticket(ticket=ticket, limit=200), many=True).data)


class RuleSerializer(serializers.ModelSerializer):
    conditions = serializers.JSONField(required=False)
    actions = serializers.JSONField()
    hours = serializers.JSONField(required=False, allow_null=True)
    trigger = serializers.CharField()
    since = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = Rule
        fields = ["id", "name", "active", "position", "trigger", "since", "hours", "conditions", "actions",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["id", "position", "updated_at"]

    def fields_for_service(self, rule: Rule | None) -> dict[str, Any]:
        data = self.validated_data
        names = ("name", "active", "trigger", "since", "hours", "conditions", "actions")
        defaults = {"active": True, "since": "", "hours": None, "conditions": [], "name": "", "trigger": ""}
        return {n: data[n] if n in data else (getattr(rule, n) if rule else defaults.get(n)) for n in names}


class DryRunSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    days = serializers.IntegerField()
    tickets = serializers.ListField(child=serializers.DictField())


def _dry_run_response(draft: Any) -> Response:
    hits, total = services.rule_dry_run(draft)
    tickets = [
        {
            "id": h.ticket.pk,
            "reference": h.ticket.reference,
            "subject": h.ticket.subject,
            "at": h.at,
            "status": h.ticket.status,
        }  # fmt: skip
        for h in hits
    ]
    return Response(
        DryRunSerializer({"total": total, "days": services.DRY_RUN_DAYS, "tickets": tickets}).data
    )


class RuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Supervisors manage the ordered rules; a rule that would loop or never match is a 400 with the reason."""

    serializer_class = RuleSerializer
    permission_classes = [IsSupervisor]
    queryset = Rule.objects.all()
    filter_backends: list = []

    class Pagination(CursorPagination):
        ordering = ("position", "id")

    pagination_class = Pagination

    def perform_create(self, serializer: RuleSerializer) -> None:
        serializer.instance = services.rule_save(
            user=self.request.user, **serializer.fields_for_service(None)
        )

    def perform_update(self, serializer: RuleSerializer) -> None:
        rule = serializer.instance
        serializer.instance = services.rule_save(
            user=self.request.user, rule=rule, **serializer.fields_for_service(rule)
        )

    def perform_destroy(self, instance: Rule) -> None:
        services.rule_delete(rule=instance)

    @extend_schema(request=None, responses=DryRunSerializer)
    @action(detail=True, methods=["get"], url_path="dry-run")
    def dry_run(self, request: Request, pk: str) -> Response:
        return _dry_run_response(self.get_object())

    @extend_schema(request=RuleSerializer, responses=DryRunSerializer)
    @action(detail=False, methods=["post"], url_path="dry-run")
    def dry_run_draft(self, request: Request) -> Response:
        """The dry run of a rule not saved yet (the same checks as saving it, nothing stored)."""
        serializer = RuleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = services.rule_draft(**serializer.fields_for_service(None))
        services.rule_check(draft)
        return _dry_run_response(draft)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], url_path=r"move-(?P<direction>up|down)")
    def move(self, request: Request, pk: str, direction: str) -> Response:
        services.rule_move(rule=self.get_object(), up=direction == "up")
        return Response(status=status.HTTP_204_NO_CONTENT)
