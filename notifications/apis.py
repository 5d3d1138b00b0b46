"""API of the notifications app: the delivery status of a ticket's notifications (agents)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView

from helpdesk.api import CursorPagination
from tickets.selectors import ticket_get_for_user

from .models import Notification
from .selectors import notification_list_for_ticket
from .serializers import NotificationOutputSerializer


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
