from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsSupervisor

from . import services
from .export import person_export
from .models import RetentionRule, RetentionRun


class PersonExportApi(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(
        request=None,
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="application/zip")},
        summary="Export everything about a person as a ZIP of JSON and files",
    )
    def post(self, request: Request, pk: int) -> FileResponse:
        person = get_object_or_404(User, pk=pk)
        out, _counts = person_export(person=person, by=request.user)
        return FileResponse(
            out, as_attachment=True, filename=f"person-{pk}.zip", content_type="application/zip"
        )


class ErasureTokenApi(APIView):
    permission_classes = [IsSupervisor]

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField()

    @extend_schema(request=None, responses={201: OutputSerializer}, summary="A one-time erasure confirmation")
    def post(self, request: Request, pk: int) -> Response:
        person = get_object_or_404(User, pk=pk)
        token, row = services.erasure_token_issue(person=person, by=request.user)
        return Response({"token": token, "expires_at": row.expires_at}, status=status.HTTP_201_CREATED)


class PersonEraseApi(APIView):
    permission_classes = [IsSupervisor]

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=100)

    class OutputSerializer(serializers.Serializer):
        person = serializers.IntegerField()
        erased = serializers.DictField(child=serializers.IntegerField())

    @extend_schema(
        request=InputSerializer, responses={200: OutputSerializer}, summary="Erase a person (once)"
    )
    def post(self, request: Request, pk: int) -> Response:
        person = get_object_or_404(User, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        counts = services.person_erase(person=person, token=data.validated_data["token"], by=request.user)
        return Response({"person": person.pk, "erased": counts})


class RetentionRuleSerializer(serializers.ModelSerializer):
    """Without ``organisation`` the global rule; with it, that organisation's own rule (one each). The
    organisation of a rule is fixed once it is made."""

    class Meta:
        model = RetentionRule
        fields = ["id", "scope", "organisation", "months", "active", "created_at"]
        read_only_fields = ["id", "scope", "created_at"]

    def validate_organisation(self, value: Any) -> Any:
        if self.instance is not None and value != self.instance.organisation:
            raise serializers.ValidationError(_("A rule's organisation cannot be changed."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            org = attrs.get("organisation")
            taken = (
                RetentionRule.objects.filter(organisation=org)
                if org
                else RetentionRule.objects.filter(scope=RetentionRule.Scope.GLOBAL)
            )
            if taken.exists():
                field, text = (
                    ("organisation", _("This organisation already has a retention rule."))
                    if org
                    else ("scope", _("There is already a global retention rule."))
                )
                raise serializers.ValidationError({field: [text]})
            attrs["scope"] = RetentionRule.Scope.ORGANISATION if org else RetentionRule.Scope.GLOBAL
        return attrs


class RetentionRuleViewSet(viewsets.ModelViewSet):
    """Supervisors: the retention rules (a global rule and one per organisation)."""

    permission_classes = [IsSupervisor]
    serializer_class = RetentionRuleSerializer
    queryset = RetentionRule.objects.all()
    filter_backends: list = []
    pagination_class = None

    def perform_create(self, serializer: RetentionRuleSerializer) -> None:
        serializer.save(created_by=self.request.user)


class RetentionRunListApi(generics.ListAPIView):
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = RetentionRun
            fields = [
                "id",
                "rule",
                "ran_at",
                "cutoff",
                "months",
                "removed_tickets",
                "removed_attachments",
                "ticket_ids",
            ]

    permission_classes = [IsSupervisor]
    serializer_class = OutputSerializer
    queryset = RetentionRun.objects.all()
    filter_backends: list = []
