"""API of the notifications app: the delivery status of a ticket's notifications, and the agents' in-app
list, followers, preferences and mention suggestions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAgent
from helpdesk.api import CursorPagination
from tickets.selectors import ticket_get_for_user

from . import inbox
from .models import InAppNotification, Notification
from .selectors import (
    INBOX_ORDER,
    inapp_describe,
    inapp_shown,
    inapp_unread_count,
    mention_suggestions,
    notification_list_for_ticket,
    ticket_followers,
)
from .serializers import (
    FollowerOutputSerializer,
    InAppNotificationOutputSerializer,
    NotificationOutputSerializer,
    PreferencesInputSerializer,
)


class TicketNotificationListApi(ListAPIView):
    """``GET /api/v1/tickets/{id}/notifications/`` — newest first, cursor-paginated (agents)."""

    serializer_class = NotificationOutputSerializer
    pagination_class = CursorPagination
    filter_backends: list = []  # no ordering or filter parameters here

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Notification.objects.none()
        user = self.request.user
        if not user.is_agent:
            raise PermissionDenied  # addresses and delivery errors are for agents only
        ticket = ticket_get_for_user(user=user, pk=self.kwargs["ticket_id"])
        return notification_list_for_ticket(user=user, ticket=ticket)


# --- agents: the in-app list, followers, preferences ---------------------------------------------------


class _InboxCursor(CursorPagination):
    ordering = INBOX_ORDER


class InAppListApi(ListAPIView):
    """``GET /api/v1/notifications/`` — the caller's items, newest first; ``?unread=true`` only unread."""

    permission_classes = [IsAgent]
    serializer_class = InAppNotificationOutputSerializer
    pagination_class = _InboxCursor
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[InAppNotification]:
        if getattr(self, "swagger_fake_view", False):
            return InAppNotification.objects.none()
        qs = InAppNotification.objects.filter(recipient=self.request.user).select_related(
            "ticket", "actor", "event", "event__actor"
        )
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at=None)
        return qs

    def paginate_queryset(self, queryset: Any) -> list | None:
        page = super().paginate_queryset(queryset)
        return None if page is None else inapp_shown(user=self.request.user, items=page)


class InAppUnreadCountApi(APIView):
    """``GET /api/v1/notifications/unread-count/`` → ``{"unread": n}``."""

    permission_classes = [IsAgent]

    @extend_schema(responses={200: inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})})
    def get(self, request: Request) -> Response:
        return Response({"unread": inapp_unread_count(user=request.user)})


class InAppReadApi(APIView):
    """``POST /api/v1/notifications/read/`` ``{"ids": [..]}`` or ``{"all": true}`` → how many were marked
    and how many stay unread. Someone else's ids change nothing."""

    permission_classes = [IsAgent]

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1), required=False, max_length=500
        )
        all = serializers.BooleanField(required=False, default=False)

        def validate(self, attrs: dict) -> dict:
            if not attrs.get("all") and not attrs.get("ids"):
                raise serializers.ValidationError({"ids": [_("Give the ids to mark, or all: true.")]})
            return attrs

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "Marked", {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()}
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = None if data.validated_data["all"] else data.validated_data["ids"]
        marked = inbox.inapp_mark_read(user=request.user, ids=ids)
        return Response({"marked": marked, "unread": inapp_unread_count(user=request.user)})


class InAppReadOneApi(APIView):
    """``POST /api/v1/notifications/{id}/read/`` → the item; 404 for someone else's."""

    permission_classes = [IsAgent]

    @extend_schema(request=None, responses=InAppNotificationOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        inbox.inapp_open(user=request.user, pk=pk)
        item = InAppNotification.objects.select_related("ticket", "actor", "event", "event__actor").get(pk=pk)
        return Response(InAppNotificationOutputSerializer(inapp_describe([item])[0]).data)


class TicketFollowersApi(APIView):
    """``/api/v1/tickets/{id}/followers/``: GET the followers; POST follows, DELETE unfollows (the caller)."""

    permission_classes = [IsAgent]

    @extend_schema(responses=FollowerOutputSerializer(many=True))
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        return Response(FollowerOutputSerializer(ticket_followers(ticket=ticket), many=True).data)

    @extend_schema(request=None, responses=FollowerOutputSerializer)
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        row = inbox.ticket_follow(ticket=ticket, user=request.user)
        return Response(FollowerOutputSerializer(row).data, status=201)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        inbox.ticket_unfollow(ticket=ticket, user=request.user)
        return Response(status=204)


class NotificationPreferencesApi(APIView):
    """``/api/v1/me/notification-preferences/``: GET every topic with its in-app and mail choice (defaults
    where the agent chose nothing); PATCH ``{"preferences": [{"topic", "in_app"?, "mail"?}]}``."""

    permission_classes = [IsAgent]

    @extend_schema(responses=PreferencesInputSerializer)
    def get(self, request: Request) -> Response:
        return Response({"preferences": inbox.notification_preferences_get(user=request.user)})

    @extend_schema(request=PreferencesInputSerializer, responses=PreferencesInputSerializer)
    def patch(self, request: Request) -> Response:
        data = PreferencesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = {
            p["topic"]: {k: p[k] for k in ("in_app", "mail") if k in p}
            for p in data.validated_data["preferences"]
        }
        return Response(
            {"preferences": inbox.notification_preferences_set(user=request.user, changes=changes)}
        )


class MentionSuggestionsApi(APIView):
    """``GET /api/v1/tickets/{id}/mention-suggestions/?q=`` — agents to mention in a note on the ticket."""

    permission_classes = [IsAgent]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="start of a first, last or full name, or username")
        ],
        responses=inline_serializer(
            "MentionSuggestion",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "token": serializers.CharField(),
                "can_see": serializers.BooleanField(),
                "is_me": serializers.BooleanField(),
            },
            many=True,
        ),
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        return Response(
            mention_suggestions(user=request.user, ticket=ticket, q=request.query_params.get("q", ""))
        )
