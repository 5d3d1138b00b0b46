"""The saved views API: CRUD of one's own views, reading the ones shared with one's teams, and a
view's tickets (the ticket list's serializer, page size and next/previous links over the queue's
keyset cursor, plus the capped count)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from accounts.models import Team
from accounts.permissions import IsAgent
from helpdesk.api import CursorPagination
from tickets.serializers import TicketOutputSerializer
from tickets.workspace import DEFAULT_COLUMNS, QUEUE_COLUMNS

from . import services
from .models import NAME_MAX, SavedView
from .selectors import (
    COUNT_CAP,
    saved_view_counts,
    saved_view_get_for_user,
    saved_view_page,
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


class SavedViewTicketsOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=f"Stops at {COUNT_CAP}: then count_capped is true.")
    count_capped = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TicketOutputSerializer(many=True)


class SavedViewTicketsApi(APIView):
    """The view's tickets in its sort, as the queue pages them: a keyset cursor over the sort keys
    (tickets without a due time last), so a page is an index range at any depth and due-time sorts
    need no sort of all matches. Same fields and ``page_size`` (≤ 100) as the ticket list."""

    permission_classes = [IsAgent]

    @extend_schema(
        summary="A saved view's tickets",
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, required=False),
            OpenApiParameter("page_size", OpenApiTypes.INT, required=False),
        ],
        responses={200: SavedViewTicketsOutputSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        view = saved_view_get_for_user(user=request.user, pk=pk)
        size = _page_size(request)
        cursor = request.query_params.get("cursor", "")
        page = saved_view_page(view=view, user=request.user, cursor=cursor, limit=size)
        count = saved_view_counts(views=[view], user=request.user)[view.pk]
        url = request.build_absolute_uri()
        next_url = replace_query_param(url, "cursor", page.next_cursor) if page.next_cursor else None
        previous_url = (
            replace_query_param(url, "cursor", page.previous_cursor) if page.previous_cursor else None
        )
        return Response(
            {
                "count": count.value,
                "count_capped": count.capped,
                "next": next_url,
                "previous": previous_url,
                "results": TicketOutputSerializer(page.rows, many=True, context={"request": request}).data,
            }
        )


def _page_size(request: Request) -> int:
    """``page_size`` as the ticket list takes it: default and maximum of its pagination."""
    try:
        size = int(request.query_params.get(CursorPagination.page_size_query_param, ""))
    except ValueError:
        return CursorPagination.page_size
    return max(1, min(size, CursorPagination.max_page_size))
