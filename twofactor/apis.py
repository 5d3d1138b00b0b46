"""Two factors in the API: one's own state, and the supervisors' reset of someone's."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsSupervisor

from . import selectors, services


class TwoFactorStatusApi(APIView):
    @extend_schema(
        responses=inline_serializer(
            "TwoFactorStatus",
            {"enabled": serializers.BooleanField(), "recovery_codes_left": serializers.IntegerField()},
        )
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "enabled": selectors.has_two_factor(user=request.user),
                "recovery_codes_left": selectors.recovery_codes_left(user=request.user),
            }
        )


class TwoFactorResetApi(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, user_id: int) -> Response:
        person = get_object_or_404(User, pk=user_id, is_active=True)
        services.two_factor_reset(user=person, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
