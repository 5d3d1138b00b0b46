"""``/api/v1/chats/``: chats and their transcripts, read only. Scoped like their tickets (404 outside)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated

from helpdesk.api import CursorPagination
from tickets.selectors import ticket_visible_qs

from .models import Chat, ChatMessage
from .payloads import author_name


def _name(user: Any) -> str:
    return (user.get_full_name() or user.first_name or user.email) if user else ""


class ChatOutputSerializer(serializers.ModelSerializer):
    """Never the widget's token."""

    reference = serializers.CharField(source="ticket.reference")
    customer = serializers.SerializerMethodField()
    agent = serializers.SerializerMethodField()

    class Meta:
        model = Chat
        fields = [
            "id",
            "ticket",
            "reference",
            "state",
            "customer",
            "agent",
            "team",
            "language",
            "started_at",
            "waiting_since",
            "accepted_at",
            "ended_at",
            "end_reason",
            "bot_articles",
        ]
        read_only_fields = fields

    def get_customer(self, chat: Chat) -> str:
        return _name(chat.customer)

    def get_agent(self, chat: Chat) -> str:
        return _name(chat.agent)


class TranscriptLineSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="message_id")
    author = serializers.SerializerMethodField()
    body = serializers.CharField(source="message.body")
    created_at = serializers.DateTimeField(source="message.created_at")

    class Meta:
        model = ChatMessage
        fields = ["id", "kind", "author", "body", "created_at"]
        read_only_fields = fields

    def get_author(self, cm: ChatMessage) -> str:
        return author_name(cm, cm.message, cm.chat.language)


def chat_visible_qs(*, user: Any) -> QuerySet[Chat]:
    """Chats whose ticket the user may see (agents all, customers their own)."""
    return Chat.objects.filter(ticket__in=ticket_visible_qs(user=user)).select_related(
        "ticket", "customer", "agent"
    )


class ChatListApi(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ChatOutputSerializer
    pagination_class = CursorPagination

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=list(Chat.State.values))])
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Chat]:
        qs = chat_visible_qs(user=self.request.user)
        state = self.request.query_params.get("state")
        if state in Chat.State.values:
            qs = qs.filter(state=state)
        return qs


class ChatDetailApi(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ChatOutputSerializer

    def get_queryset(self) -> QuerySet[Chat]:
        return chat_visible_qs(user=self.request.user)


class TranscriptPagination(CursorPagination):
    ordering = "message_id"
    page_size = 100


class ChatTranscriptApi(generics.ListAPIView):
    """The chat's lines, oldest first (the bot's marked ``kind: bot``)."""

    permission_classes = [IsAuthenticated]
    serializer_class = TranscriptLineSerializer
    pagination_class = TranscriptPagination

    def get_queryset(self) -> QuerySet[ChatMessage]:
        chat = generics.get_object_or_404(chat_visible_qs(user=self.request.user), pk=self.kwargs["pk"])
        return ChatMessage.objects.filter(chat=chat, message__internal=False).select_related(
            "message__author", "chat"
        )
