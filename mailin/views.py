from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from tickets.selectors import ticket_get_for_user

from .models import Participant
from .services import participant_approve


@login_required
@require_POST
def participant_approve_view(request: HttpRequest, ticket_id: int, pk: int) -> HttpResponse:
    if not request.user.is_agent:
        raise PermissionDenied
    ticket = ticket_get_for_user(user=request.user, pk=ticket_id)
    participant = get_object_or_404(Participant, pk=pk, ticket=ticket)
    participant_approve(participant=participant, by=request.user)
    return redirect(f"/agent/tickets/{ticket.pk}/")
