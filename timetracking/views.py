"""The time panel on the agent's ticket page and its forms (htmx swaps the panel; without
JavaScript each form posts and comes back to the ticket). Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets.models import Ticket
from tickets.selectors import ticket_get_for_user
from tickets.views import agent_required

from . import services
from .forms import TimeEntryForm, TimerStopForm
from .selectors import running_timer, ticket_time_entries, ticket_time_totals, time_entry_visible_qs

# Form fields named differently from the service's fields.
FORM_FIELD = {"minutes": "duration"}


def time_panel_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any] | None:
    """Entries, totals and the agent's timer: two queries."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_agent):
        return None
    entries = list(ticket_time_entries(user=user, ticket=ticket).order_by("-date", "-id"))
    timer = running_timer(user=user)
    return {
        "ticket": ticket,
        "entries": entries,
        "totals": ticket_time_totals(entries=entries),
        "timer": timer if timer and timer.ticket_id == ticket.pk else None,
        "timer_elsewhere": timer if timer and timer.ticket_id != ticket.pk else None,
        "time_form": TimeEntryForm(),
        "stop_form": TimerStopForm(),
        "editable": {e.pk for e in entries if services.can_change(entry=e, user=user)},
    }


def _panel(request: HttpRequest, ticket: Ticket, **extra: Any) -> HttpResponse:
    context = {**(time_panel_context(request, ticket) or {}), **extra}
    return render(request, "timetracking/_time_panel.html", context)


def _done(request: HttpRequest, ticket: Ticket, text: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return _panel(request, ticket)
    messages.success(request, text)
    return redirect("tickets:agent_ticket", pk=ticket.pk)


def _entry_form(
    request: HttpRequest, ticket: Ticket, form: TimeEntryForm, save: Any, done: str, **panel: Any
) -> HttpResponse:
    """Validates the form, calls ``save(minutes=, date=, note=, billable=)`` (a service), and answers:
    the panel (htmx swaps only 2xx, so errors come back as 200 in the panel) or, without JavaScript,
    the ticket page with the errors as messages. Nothing is saved when a field is wrong."""
    if form.is_valid():
        data = form.cleaned_data
        try:
            save(minutes=data["duration"], date=data["date"], note=data["note"], billable=data["billable"])
        except ValidationError as error:
            for field, msgs in error.message_dict.items():
                form.add_error(FORM_FIELD.get(field, field), msgs)
        else:
            return _done(request, ticket, done)
    if request.headers.get("HX-Request"):
        return _panel(request, ticket, **panel)
    for field in form.errors.values():
        for message in field:
            messages.error(request, message)
    return redirect("tickets:agent_ticket", pk=ticket.pk)


def _own_entry(request: HttpRequest, ticket: Ticket, entry_id: int) -> Any:
    """An entry of this ticket (404 otherwise) that this user may change (403 otherwise)."""
    entry = get_object_or_404(time_entry_visible_qs(user=request.user), pk=entry_id, ticket=ticket)
    if not services.can_change(entry=entry, user=request.user):
        raise PermissionDenied
    return entry


@agent_required
@require_POST
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    form = TimeEntryForm(request.POST)

    def save(**data: Any) -> None:
        services.time_entry_create(ticket=ticket, by=request.user, **data)

    return _entry_form(request, ticket, form, save, _("Time logged."), time_form=form)


@agent_required
@require_POST
def entry_edit(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    """Changes one entry (the agent's own; a supervisor's any), from the form under the entry."""
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    entry = _own_entry(request, ticket, entry_id)
    form = TimeEntryForm(request.POST, auto_id=f"time{entry.pk}_%s")

    def save(**data: Any) -> None:
        services.time_entry_update(entry=entry, by=request.user, **data)

    return _entry_form(request, ticket, form, save, _("Time entry changed."), edit_forms={entry.pk: form})


@agent_required
@require_POST
def entry_delete(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    entry = _own_entry(request, ticket, entry_id)
    services.time_entry_delete(entry=entry, by=request.user)
    return _done(request, ticket, _("Time entry deleted."))


@agent_required
@require_POST
def timer_start(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    _timer, stopped = services.timer_start(ticket=ticket, by=request.user)
    if stopped is not None:
        messages.info(
            request,
            _("The timer on %(reference)s was stopped and logged.") % {"reference": stopped.ticket.reference},
        )
    return _done(request, ticket, _("Timer started."))


@agent_required
@require_POST
def timer_stop(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    form = TimerStopForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    services.timer_stop(by=request.user, note=data.get("note", ""), billable=data.get("billable", False))
    return _done(request, ticket, _("Time logged."))


@agent_required
@require_POST
def timer_discard(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=request.user, pk=pk)
    services.timer_discard(by=request.user)
    return _done(request, ticket, _("Timer discarded."))
