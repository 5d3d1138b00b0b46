"""The ticket API (and categories / escalation paths, which the core owns).

Every read goes through the visibility selectors: a ticket the caller may not see is a 404, and so is
every sub-resource of it. The role check (403) comes only after the ticket was found visible.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsSupervisorOrAgentReadOnly, IsSupervisorOrReadOnly
from helpdesk.api import CursorPagination
from helpdesk.errors import ConflictError

from . import services
from .filters import TICKET_ORDERING_FIELDS, AllowlistOrderingFilter, TicketFilter
from .models import Category, EscalationPath, IdempotencyKey, Message, Ticket, TicketEvent
from .pagination import TicketCursorPagination
from .selectors import (
    attachment_visible_qs,
    event_visible_qs,
    message_visible_qs,
    ticket_get_for_user,
    ticket_visible_qs,
)
from .serializers import (
    AgentTicketCreateInputSerializer,
    AttachmentInputSerializer,
    AttachmentOutputSerializer,
    CategorySerializer,
    EscalationPathSerializer,
    EventOutputSerializer,
    MessageInputSerializer,
    MessageOutputSerializer,
    RatingInputSerializer,
    RatingOutputSerializer,
    ResolveInputSerializer,
    TicketCreateInputSerializer,
    TicketOutputSerializer,
    TicketUpdateInputSerializer,
)

IN_USE = _("It is still in use.")
AGENTS_ONLY = _("Only agents can do this.")
REQUESTER_ONLY = _("Only the requester can rate this ticket.")
REQUESTER_ONLY_REOPEN = _("Only the requester can reopen this ticket.")
IDEMPOTENCY_KEY_TOO_LONG = _("The Idempotency-Key header may be at most 200 characters.")
IDEMPOTENCY_IN_PROGRESS = _("A request with this Idempotency-Key is still being processed.")
# Multipart framing around the file; anything bigger than the limit plus this is refused unread.
MULTIPART_OVERHEAD = 64 * 1024


def _require_agent(request: Request) -> None:
    """403 for a role that may not; call after the ticket was found visible (else it is a 404)."""
    if not request.user.is_agent:
        raise PermissionDenied(AGENTS_ONLY)


class ChronologicalPagination(CursorPagination):
    ordering = "id"


# --- organisation the core owns ------------------------------------------------------------------


class _ProtectedDestroyMixin:
    def perform_destroy(self, instance: Any) -> None:
        try:
            instance.delete()
        except ProtectedError:
            raise ConflictError(IN_USE) from None


class CategoryViewSet(_ProtectedDestroyMixin, viewsets.ModelViewSet):
    """Categories (a tree). Anyone signed in reads them (the request form needs them); supervisors write."""

    serializer_class = CategorySerializer
    permission_classes = [IsSupervisorOrReadOnly]
    queryset = Category.objects.all()
    filterset_fields = ["parent"]
    ordering_fields = ["id", "name"]
    ordering = "id"


class EscalationPathViewSet(viewsets.ModelViewSet):
    """Which team takes a category at a tier. Agents read, supervisors write."""

    serializer_class = EscalationPathSerializer
    permission_classes = [IsSupervisorOrAgentReadOnly]
    queryset = EscalationPath.objects.all()
    filterset_fields = ["category", "tier", "team"]
    ordering_fields = ["id", "tier"]
    ordering = "id"


# --- tickets -------------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Sending the same key again returns the first response and creates nothing.",
)


@extend_schema_view(
    list=extend_schema(summary="Tickets the caller may see"),
    retrieve=extend_schema(summary="One ticket"),
)
class TicketViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = TicketOutputSerializer
    filter_backends = [DjangoFilterBackend, AllowlistOrderingFilter]
    filterset_class = TicketFilter
    ordering_fields = TICKET_ORDERING_FIELDS
    ordering = "-id"
    pagination_class = TicketCursorPagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Ticket]:
        # Output holds related ids only, so no joins; tags come in one extra query per page.
        return ticket_visible_qs(user=self.request.user).prefetch_related("tags")

    def retrieve(self, request: Request, pk: str) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=pk)
        return Response(self.get_serializer(ticket).data)

    @extend_schema(
        summary="Submit a ticket (customers) or log one on behalf of someone (agents)",
        request=AgentTicketCreateInputSerializer,
        responses={201: TicketOutputSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        description="Customers may set subject, description, category, impact and urgency; anything else "
        "is ignored. Agents may also set requester, channel, language and tags.",
    )
    def create(self, request: Request) -> Response:
        user = request.user
        data = (AgentTicketCreateInputSerializer if user.is_agent else TicketCreateInputSerializer)(
            data=request.data
        )
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return self._create(data.validated_data)
        if len(key) > 200:
            raise serializers.ValidationError({"Idempotency-Key": [IDEMPOTENCY_KEY_TOO_LONG]})
        replay = IdempotencyKey.objects.filter(user=user, key=key).first()
        if replay is not None and replay.created_at < timezone.now() - settings.HELPDESK_IDEMPOTENCY_KEY_TTL:
            # Expired but not yet purged: the key may be used afresh.
            IdempotencyKey.objects.filter(pk=replay.pk).delete()
            replay = None
        if replay is not None:
            return self._replay(replay)
        try:
            with transaction.atomic():
                # Claim the key first: a concurrent request with the same key blocks on the unique
                # constraint until this transaction ends, then replays what it stored.
                claim = IdempotencyKey.objects.create(user=user, key=key, status_code=0, response={})
                response = self._create(data.validated_data)
                IdempotencyKey.objects.filter(pk=claim.pk).update(
                    status_code=response.status_code, response=response.data
                )
        except IntegrityError:
            replay = IdempotencyKey.objects.filter(user=user, key=key).first()
            if replay is None:
                raise
            return self._replay(replay)
        return response

    def _replay(self, stored: IdempotencyKey) -> Response:
        if stored.status_code == 0:
            raise ConflictError(IDEMPOTENCY_IN_PROGRESS)
        return Response(stored.response, status=stored.status_code, headers={"Idempotent-Replayed": "true"})

    def _create(self, validated: dict[str, Any]) -> Response:
        user = self.request.user
        if user.is_agent:
            ticket = services.ticket_create(
                requester=validated.get("requester") or user,
                by=user,
                subject=validated["subject"],
                description=validated["description"],
                channel=validated["channel"],
                category=validated["category"],
                impact=validated["impact"],
                urgency=validated["urgency"],
                language=validated.get("language"),
                tags=validated.get("tags"),
            )
        else:
            ticket = services.ticket_create(
                requester=user,
                by=user,
                subject=validated["subject"],
                description=validated["description"],
                channel=Ticket.Channel.API,
                category=validated["category"],
                impact=validated["impact"],
                urgency=validated["urgency"],
            )
        # Read back what the receivers wrote (due times, routing); the output needs no joins, only the tags.
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(self.get_serializer(ticket).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Triage (agents)",
        request=TicketUpdateInputSerializer,
        responses={200: TicketOutputSerializer},
        description="Only the fields sent change. `status: resolved` is refused: use resolve. "
        "An impossible status transition is a 409.",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=pk)
        _require_agent(request)
        data = TicketUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        expected_version = changes.pop("version", None)
        services.ticket_update(ticket=ticket, by=request.user, expected_version=expected_version, **changes)
        ticket = ticket_get_for_user(user=request.user, pk=pk)
        return Response(self.get_serializer(ticket).data)


class _TicketChildApi(generics.ListAPIView):
    """A list under one ticket: the ticket must be visible (404), then the child selector scopes it."""

    pagination_class = ChronologicalPagination
    filter_backends: list = []

    def ticket(self) -> Ticket:
        if not hasattr(self, "_ticket"):
            self._ticket = ticket_get_for_user(user=self.request.user, pk=self.kwargs["ticket_id"])
        return self._ticket

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.ticket()  # 404 before anything else
        return super().list(request, *args, **kwargs)


class TicketMessageListCreateApi(_TicketChildApi):
    serializer_class = MessageOutputSerializer

    def get_queryset(self) -> QuerySet[Message]:
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return message_visible_qs(user=self.request.user, ticket=self.ticket())

    @extend_schema(
        request=MessageInputSerializer,
        responses={201: MessageOutputSerializer},
        description="A public reply, or an internal note (agents only; a customer sending internal=true gets 400).",
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = self.ticket()
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_add(
            ticket=ticket,
            author=request.user,
            body=data.validated_data["body"],
            internal=data.validated_data["internal"],
            channel=Ticket.Channel.API,
            expected_version=data.validated_data.get("version"),
        )
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)


class TicketAttachmentListCreateApi(_TicketChildApi):
    serializer_class = AttachmentOutputSerializer

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return attachment_visible_qs(user=self.request.user, ticket=self.ticket())

    @extend_schema(
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentOutputSerializer},
        description="Multipart upload of `file`; over HELPDESK_MAX_ATTACHMENT_BYTES is a 413. "
        "`internal` (agents only) hides it from the customer.",
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = self.ticket()
        limit = settings.HELPDESK_MAX_ATTACHMENT_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + MULTIPART_OVERHEAD:
            # Refuse before reading the body into temporary files.
            raise services.PayloadTooLarge(
                _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, field="file"
            )
        data = AttachmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            ticket=ticket,
            by=request.user,
            file=data.validated_data["file"],
            internal=data.validated_data["internal"],
        )
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)


class TicketEventListApi(_TicketChildApi):
    """The audit trail (agents). For a customer it does not exist: 404, even on their own ticket."""

    serializer_class = EventOutputSerializer

    def get_queryset(self) -> QuerySet[TicketEvent]:
        if getattr(self, "swagger_fake_view", False):
            return TicketEvent.objects.none()
        return event_visible_qs(user=self.request.user, ticket=self.ticket())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.ticket()
        if not request.user.is_agent:
            raise Http404
        return super().list(request, *args, **kwargs)


class TicketResolveApi(APIView):
    @extend_schema(request=ResolveInputSerializer, responses={200: TicketOutputSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        _require_agent(request)
        data = ResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ticket_resolve(
            ticket=ticket,
            by=request.user,
            resolution=data.validated_data["resolution"],
            article_id=data.validated_data["article"],
        )
        return _ticket_response(request, ticket_id)


class TicketReopenApi(APIView):
    """Agents; the requester too, within the reopen window after resolution (not a colleague who sees
    it through their organisation: 403)."""

    @extend_schema(request=None, responses={200: TicketOutputSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        if not request.user.is_agent and ticket.requester_id != request.user.pk:
            raise PermissionDenied(REQUESTER_ONLY_REOPEN)
        services.ticket_reopen(ticket=ticket, by=request.user)
        return _ticket_response(request, ticket_id)


class TicketCloseApi(APIView):
    @extend_schema(request=None, responses={200: TicketOutputSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        _require_agent(request)
        services.ticket_close(ticket=ticket, by=request.user)
        return _ticket_response(request, ticket_id)


class TicketRatingApi(APIView):
    """The requester rates a resolved ticket, once (a second time is a 409)."""

    @extend_schema(request=RatingInputSerializer, responses={201: RatingOutputSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        if ticket.requester_id != request.user.pk:
            raise PermissionDenied(REQUESTER_ONLY)
        data = RatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rating_create(ticket=ticket, by=request.user, **data.validated_data)
        return Response(RatingOutputSerializer(rating).data, status=status.HTTP_201_CREATED)


def _ticket_response(request: Request, ticket_id: int) -> Response:
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    return Response(TicketOutputSerializer(ticket, context={"request": request}).data)
