"""``/api/v1/tokens/``: a person's own tokens — list, create (the token shown once), revoke."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from .selectors import api_token_list
from .serializers import ApiTokenCreatedSerializer, ApiTokenInputSerializer, ApiTokenOutputSerializer
from .services import api_token_create, api_token_revoke


class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = ApiTokenOutputSerializer
    ordering_fields = ["id", "created_at", "expires_at", "last_used_at"]
    ordering = "-id"
    filterset_fields = ["scope"]

    def get_queryset(self):  # noqa: ANN201
        return api_token_list(user=self.request.user)

    @extend_schema(request=ApiTokenInputSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request: Request) -> Response:
        data = ApiTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, raw = api_token_create(user=request.user, **data.validated_data)
        token.token = raw
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance) -> None:  # noqa: ANN001
        api_token_revoke(token=instance)
