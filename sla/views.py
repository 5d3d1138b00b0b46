"""Supervisor pages to edit SLA policies and calendars (/agent/config/sla/)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from helpdesk.errors import ApplicationError
from tickets.undo import confirm_delete

from . import selectors, services
from .forms import CalendarForm, PolicyForm
from .models import Calendar, SlaPolicy


def supervisor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_supervisor:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@supervisor_required
def config(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sla/config.html",
        {"policies": selectors.policy_list(), "calendars": selectors.calendar_list()},
    )


@supervisor_required
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=pk) if pk else None
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.sla_policy_save(policy=policy, **fields)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Policy saved."))
            return redirect("sla:config")
    return render(request, "sla/policy_form.html", {"form": form, "policy": policy})


@supervisor_required
@require_http_methods(["GET", "POST"])
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=pk)
    in_use = selectors.policy_open_ticket_count(policy)
    return confirm_delete(
        request,
        policy,
        delete=lambda: services.sla_policy_delete(policy=policy),
        back=reverse("sla:config"),
        what=_("SLA policy “%(name)s”") % {"name": policy.name},
        consequences=[
            (
                in_use,
                ngettext(
                    "%(n)s open ticket has its due times from this policy.",
                    "%(n)s open tickets have their due times from this policy.",
                    in_use,
                ),
            )
        ],
    )


@supervisor_required
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    calendar = get_object_or_404(Calendar.objects.prefetch_related("custom_holidays"), pk=pk) if pk else None
    form = CalendarForm(request.POST or None, calendar=calendar)
    if request.method == "POST" and form.is_valid():
        services.calendar_save(calendar=calendar, **form.service_fields())
        messages.success(request, _("Calendar saved."))
        return redirect("sla:config")
    return render(request, "sla/calendar_form.html", {"form": form, "calendar": calendar})


@supervisor_required
@require_http_methods(["GET", "POST"])
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(Calendar.objects.prefetch_related("custom_holidays"), pk=pk)
    holidays = len(calendar.custom_holidays.all())
    return confirm_delete(
        request,
        calendar,
        delete=lambda: services.calendar_delete(calendar=calendar),
        back=reverse("sla:config"),
        what=_("calendar “%(name)s”") % {"name": calendar.name},
        consequences=[
            (
                holidays,
                ngettext(
                    "Its %(n)s custom holiday is deleted with it.",
                    "Its %(n)s custom holidays are deleted with it.",
                    holidays,
                ),
            )
        ],
        blocked=services.calendar_delete_blocker(calendar),
    )
