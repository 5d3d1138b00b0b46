"""REST API of escalation: thin — parse, authorize, one service call.

Customers get 404 for all of it (a handoff is internal; its existence is not revealed).
"""

from __future__ import annotations

from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Team
from tickets.selectors import ticket_get_for_user

from . import selectors, services
from .models import Escalation
from .serializers import ConsultOutputSerializer, DeescalationOutputSerializer, EscalationOutputSerializer

MAX = settings.HELPDESK_MAX_BODY_CHARS


class IsAgentElse404(BasePermission):
    """Agents and supervisors pass; any other signed-in user sees nothing here (404, not 403)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user.is_agent:
            raise exceptions.NotFound()
        return True


AGENTS = [IsAuthenticated, IsAgentElse404]


def _text(required: bool = True) -> serializers.CharField:
    # Blank passes here on purpose: the service names the field with the handoff's own message.
    return serializers.CharField(max_length=MAX, allow_blank=True, required=required, trim_whitespace=False)


class HandoffInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Escalation.Reason.choices)
    summary = _text()
    steps_taken = _text()
    diagnostics = _text(required=False)
    customer_impact = _text(required=False)
    articles_tried = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=50
    )
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    from_tier = serializers.IntegerField(min_value=1, max_value=3, required=False)


class TicketEscalateApi(APIView):
    permission_classes = AGENTS

    class EscalateInputSerializer(HandoffInputSerializer):
        to_tier = serializers.IntegerField(min_value=2, max_value=3, required=False)

    @extend_schema(request=EscalateInputSerializer, responses={201: EscalationOutputSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        data = self.EscalateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        escalation = services.ticket_escalate(ticket=ticket, by=request.user, **data.validated_data)
        return Response(EscalationOutputSerializer(escalation).data, status=status.HTTP_201_CREATED)


class EscalationListApi(generics.ListAPIView):
    permission_classes = AGENTS
    serializer_class = EscalationOutputSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = selectors.EscalationFilter
    ordering_fields = ["id"]
    ordering = ["-id"]

    def get_queryset(self):  # noqa: ANN201
        return selectors.escalation_visible_qs(user=self.request.user)


class EscalationDetailApi(APIView):
    permission_classes = AGENTS

    @extend_schema(responses=EscalationOutputSerializer)
    def get(self, request: Request, escalation_id: int) -> Response:
        escalation = selectors.escalation_get_for_user(user=request.user, pk=escalation_id)
        return Response(EscalationOutputSerializer(escalation).data)


class EscalationAcceptApi(APIView):
    permission_classes = AGENTS

    @extend_schema(request=None, responses=EscalationOutputSerializer)
    def post(self, request: Request, escalation_id: int) -> Response:
        escalation = selectors.escalation_get_for_user(user=request.user, pk=escalation_id)
        escalation = services.escalation_accept(escalation=escalation, by=request.user)
        return Response(EscalationOutputSerializer(escalation).data)


class EscalationDeclineApi(APIView):
    permission_classes = AGENTS

    class EscalationDeclineInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=5000, allow_blank=True)

    @extend_schema(request=EscalationDeclineInputSerializer, responses=EscalationOutputSerializer)
    def post(self, request: Request, escalation_id: int) -> Response:
        escalation = selectors.escalation_get_for_user(user=request.user, pk=escalation_id)
        data = self.EscalationDeclineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        escalation = services.escalation_decline(
            escalation=escalation, by=request.user, **data.validated_data
        )
        return Response(EscalationOutputSerializer(escalation).data)


class TicketDeescalateApi(APIView):
    permission_classes = AGENTS

    class DeescalateInputSerializer(serializers.Serializer):
        to_tier = serializers.IntegerField(min_value=1, max_value=2, required=False)
        instructions = _text()
        team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)

    @extend_schema(request=DeescalateInputSerializer, responses={201: DeescalationOutputSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        data = self.DeescalateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        de = services.ticket_deescalate(ticket=ticket, by=request.user, **data.validated_data)
        return Response(DeescalationOutputSerializer(de).data, status=status.HTTP_201_CREATED)


class TicketConsultsApi(APIView):
    permission_classes = AGENTS

    class ConsultCreateInputSerializer(serializers.Serializer):
        team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
        question = serializers.CharField(max_length=MAX, allow_blank=True)

    @extend_schema(responses=ConsultOutputSerializer(many=True))
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        return Response(ConsultOutputSerializer(selectors.consults_for(ticket), many=True).data)

    @extend_schema(request=ConsultCreateInputSerializer, responses={201: ConsultOutputSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        data = self.ConsultCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consult = services.consult_create(ticket=ticket, by=request.user, **data.validated_data)
        return Response(ConsultOutputSerializer(consult).data, status=status.HTTP_201_CREATED)


class ConsultAnswerApi(APIView):
    permission_classes = AGENTS

    class ConsultAnswerInputSerializer(serializers.Serializer):
        answer = serializers.CharField(max_length=MAX, allow_blank=True)

    @extend_schema(request=ConsultAnswerInputSerializer, responses=ConsultOutputSerializer)
    def post(self, request: Request, consult_id: int) -> Response:
        consult = selectors.consult_get_for_user(user=request.user, pk=consult_id)
        data = self.ConsultAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consult = services.consult_answer(consult=consult, by=request.user, **data.validated_data)
        return Response(ConsultOutputSerializer(consult).data)


class ConsultEscalateApi(APIView):
    """Turn a consult into an escalation; every handoff field is optional (prefilled from the consult)."""

    permission_classes = AGENTS

    class ConsultEscalateInputSerializer(HandoffInputSerializer):
        reason = serializers.ChoiceField(choices=Escalation.Reason.choices, required=False)
        summary = _text(required=False)
        steps_taken = _text(required=False)

    @extend_schema(request=ConsultEscalateInputSerializer, responses={201: EscalationOutputSerializer})
    def post(self, request: Request, consult_id: int) -> Response:
        consult = selectors.consult_get_for_user(user=request.user, pk=consult_id)
        data = self.ConsultEscalateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        escalation = services.consult_escalate(consult=consult, by=request.user, **data.validated_data)
        return Response(EscalationOutputSerializer(escalation).data, status=status.HTTP_201_CREATED)
