"""API of the notifications app: the delivery status of a ticket's notifications (agents)."""

from __future__ import annotations

from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import CursorPagination
from tickets.selectors import ticket_get_for_user

from .selectors import notification_list_for_ticket
from .serializers import NotificationOutputSerializer


class TicketNotificationListApi(APIView):
    """``GET /api/v1/tickets/{id}/notifications/`` — newest first, cursor-paginated."""

    def get(self, request: Request, ticket_id: int) -> Response:
        if not request.user.is_agent:
            raise PermissionDenied  # addresses and delivery errors are for agents only
        ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
        paginator = CursorPagination()
        page = paginator.paginate_queryset(
            notification_list_for_ticket(user=request.user, ticket=ticket), request, view=self
        )
        return paginator.get_paginated_response(NotificationOutputSerializer(page, many=True).data)
