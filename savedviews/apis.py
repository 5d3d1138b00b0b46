"""The saved views API: CRUD of one's own views, reading the ones shared with one's teams, and a
view's tickets (the ticket list's serializer and pagination, plus the capped count)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Team
from accounts.permissions import IsAgent
from helpdesk.api import CursorPagination
from tickets.filters import AllowlistOrderingFilter
from tickets.models import Ticket
from tickets.serializers import TicketOutputSerializer
from tickets.workspace import DEFAULT_COLUMNS, QUEUE_COLUMNS

from . import services
from .models import NAME_MAX, SavedView
from .selectors import (
    COUNT_CAP,
    saved_view_counts,
    saved_view_get_for_user,
    saved_view_tickets_qs,
    saved_view_visible_qs,
)


class SavedViewOutputSerializer(serializers.ModelSerializer):
    owner_name = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()
    shared_with_teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = SavedView
        fields = [
            "id",
            "name",
            "filters",
            "sort",
            "columns",
            "shared_with_teams",
            "owner",
            "owner_name",
            "mine",
            "created_at",
            "updated_at",
        ]

    def get_owner_name(self, view: SavedView) -> str:
        return view.owner.get_full_name() or view.owner.username

    def get_mine(self, view: SavedView) -> bool:
        return view.owner_id == self.context["request"].user.pk


class SavedViewInputSerializer(serializers.Serializer):
    """The shape only; the filters, sort, columns and sharing are checked by the service."""

    name = serializers.CharField(max_length=NAME_MAX)
    filters = serializers.DictField(required=False, default=dict, help_text="The agent queue's filters.")
    sort = serializers.ChoiceField(choices=services.SORTS, default="newest")
    columns = serializers.ListField(
        child=serializers.ChoiceField(choices=list(QUEUE_COLUMNS)), required=False, default=DEFAULT_COLUMNS
    )
    shared_with_teams = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Team.objects.all(), required=False, help_text="Supervisors only."
    )


@extend_schema_view(
    list=extend_schema(summary="The caller's saved views and those shared with their teams"),
    retrieve=extend_schema(summary="One saved view"),
    create=extend_schema(request=SavedViewInputSerializer, responses={201: SavedViewOutputSerializer}),
    partial_update=extend_schema(
        request=SavedViewInputSerializer, responses={200: SavedViewOutputSerializer}
    ),
    destroy=extend_schema(summary="Delete one's own view"),
)
class SavedViewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Agents. A view shared with the caller's team is read-only for them (403 on a change); another
    agent's private view is a 404."""

    serializer_class = SavedViewOutputSerializer
    permission_classes = [IsAgent]
    filter_backends: list = []
    pagination_class = None  # a person's views: a short list, each sidebar shows all of them
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[SavedView]:
        return (
            saved_view_visible_qs(user=self.request.user)
            .select_related("owner")
            .prefetch_related("shared_with_teams")
        )

    def get_object(self) -> SavedView:
        return saved_view_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request: Request) -> Response:
        data = SavedViewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        view = services.saved_view_create(owner=request.user, **data.validated_data)
        return Response(self.get_serializer(self._reload(view)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        view = self.get_object()
        data = SavedViewInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = {k: v for k, v in data.validated_data.items() if k in request.data}
        view = services.saved_view_update(view=view, by=request.user, **changes)
        return Response(self.get_serializer(self._reload(view)).data)

    def perform_destroy(self, instance: SavedView) -> None:
        services.saved_view_delete(view=instance, by=self.request.user)

    def _reload(self, view: SavedView) -> SavedView:
        return self.get_queryset().get(pk=view.pk)


class SavedViewTicketsPagination(CursorPagination):
    """The ticket list's pagination, with the view's count (capped at COUNT_CAP: ``count_capped``)."""

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        count = self.view_count
        response.data = {"count": count.value, "count_capped": count.capped, **response.data}
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = super().get_paginated_response_schema(schema)
        out["properties"] = {
            "count": {"type": "integer", "example": 1000},
            "count_capped": {"type": "boolean", "description": f"True when there are more than {COUNT_CAP}."},
            **out["properties"],
        }
        return out


# Queue sorts as the ticket list's ``ordering`` (AllowlistOrderingFilter adds the id tie-breaker).
SORT_ORDERING = {
    "newest": ["-id"],
    "oldest": ["id"],
    "resolution_due": ["resolution_due"],
    "first_response_due": ["first_response_due"],
    "priority": ["priority", "-id"],
    "updated": ["-updated_at"],
}


class SavedViewOrdering(AllowlistOrderingFilter):
    """The view's own sort, through the ticket list's ordering (due times without one come last)."""

    def get_ordering(self, request: Any, queryset: QuerySet, view: Any) -> list[str]:
        return self.sort_keys(SORT_ORDERING.get(view.saved_view.sort, ["-id"]))


@extend_schema(
    summary="A saved view's tickets",
    responses={200: TicketOutputSerializer(many=True)},
    description=f"The view's filters and sort applied to the tickets the caller may see, with the "
    f"ticket list's fields and cursor pagination; `count` stops at {COUNT_CAP} (`count_capped`).",
)
class SavedViewTicketsApi(ListAPIView):
    serializer_class = TicketOutputSerializer
    permission_classes = [IsAgent]
    pagination_class = SavedViewTicketsPagination
    filter_backends = [SavedViewOrdering]

    def get_queryset(self) -> QuerySet[Ticket]:
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        # Output holds related ids only, so no joins; tags come in one extra query per page.
        return saved_view_tickets_qs(view=self.saved_view, user=self.request.user).prefetch_related("tags")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.saved_view = saved_view_get_for_user(user=request.user, pk=kwargs["pk"])
        self.paginator.view_count = saved_view_counts(views=[self.saved_view], user=request.user)[
            self.saved_view.pk
        ]
        return super().list(request, *args, **kwargs)
